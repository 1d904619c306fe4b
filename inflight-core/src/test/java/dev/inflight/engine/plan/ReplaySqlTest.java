package dev.inflight.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The statements that move rows, for a composite key with hostile names, without a database. The
 * phases bind parameters by position, so the number of {@code ?} is part of each contract.
 */
class ReplaySqlTest {
  private static final String FROM = "\"sales\".\"Line Items\"";
  private static final String TO = "\"sales\".\"Line Items__ifl_new\"";
  private static final String LOG = "\"inflight\".\"sales.Line Items__log\"";
  private static final String HOSTILE = "qty\"; DROP TABLE users; --";
  private static final Pattern QUOTED_IDENTIFIER = Pattern.compile("\"(?:[^\"]|\"\")*\"");

  private static final List<KeyColumn> KEY =
      List.of(
          new KeyColumn("Order Id", "integer", "Order Id", "integer"),
          new KeyColumn("line;no", "smallint", "line;no", "smallint"));
  private static final List<String> COLUMNS = List.of("Order Id", "line;no", HOSTILE);

  private static ReplaySql.Direction direction(
      List<KeyColumn> key, List<String> updatable, boolean overriding) {
    return new ReplaySql.Direction(
        FROM, TO, LOG, key, new Projection(COLUMNS), COLUMNS, updatable, overriding);
  }

  private static final ReplaySql.Direction COMPOSITE = direction(KEY, List.of(HOSTILE), false);

  @Test
  void backfillBatchWalksTheCompositeKeyAsOneRowInKeyOrder() {
    assertThat(CopySql.backfillBatch(COMPOSITE))
        .isEqualTo(
            "WITH src AS (SELECT * FROM \"sales\".\"Line Items\" AS s"
                + " WHERE (? OR (s.\"Order Id\", s.\"line;no\") > (?::integer, ?::smallint))"
                + " AND (s.\"Order Id\", s.\"line;no\") <= (?::integer, ?::smallint)"
                + " ORDER BY s.\"Order Id\", s.\"line;no\" LIMIT ?),"
                + " ins AS (INSERT INTO \"sales\".\"Line Items__ifl_new\""
                + " (\"Order Id\", \"line;no\", \"qty\"\"; DROP TABLE users; --\")"
                + " SELECT \"Order Id\" AS \"Order Id\", \"line;no\" AS \"line;no\","
                + " \"qty\"\"; DROP TABLE users; --\" AS \"qty\"\"; DROP TABLE users; --\""
                + " FROM src AS l0 RETURNING 1)"
                + " SELECT (SELECT count(*) FROM src), (SELECT count(*) FROM ins),"
                + " (SELECT ARRAY[s.\"Order Id\"::text, s.\"line;no\"::text] FROM src AS s"
                + " ORDER BY s.\"Order Id\" DESC, s.\"line;no\" DESC LIMIT 1)");
  }

  @Test
  void backfillBatchTakesNoCursorFlagCursorHighKeyAndLimit() {
    assertThat(parameters(CopySql.backfillBatch(COMPOSITE))).isEqualTo(1 + 2 + 2 + 1);
  }

  /** The copy relies on replay having removed every key it will meet; a conflict is a bug. */
  @Test
  void backfillBatchIsAPlainInsertThatFailsOnADuplicateKey() {
    assertThat(CopySql.backfillBatch(COMPOSITE)).doesNotContain("ON CONFLICT");
  }

  @Test
  void replayBatchUpsertsOnTheNewKeyAndUpdatesOnlyNonKeyColumns() {
    String sql = ReplaySql.replayBatch(COMPOSITE, true);

    assertThat(sql)
        .contains(
            "ON CONFLICT (\"Order Id\", \"line;no\") DO UPDATE SET"
                + " \"qty\"\"; DROP TABLE users; --\" = EXCLUDED.\"qty\"\"; DROP TABLE users; --\"")
        .contains(
            "JOIN keys AS k ON s.\"Order Id\" = k.\"Order Id\" AND s.\"line;no\" = k.\"line;no\"")
        .contains(
            "DELETE FROM \"sales\".\"Line Items__ifl_new\" AS t USING keys AS k"
                + " WHERE t.\"Order Id\" = k.\"Order Id\" AND t.\"line;no\" = k.\"line;no\""
                + " AND NOT EXISTS");
  }

  @Test
  void replayBatchSkipsKeysTheCopyWillReachWhenAskedTo() {
    String skipping = ReplaySql.replayBatch(COMPOSITE, true);
    String all = ReplaySql.replayBatch(COMPOSITE, false);

    assertThat(skipping)
        .contains(
            "WHERE NOT coalesce((? OR (b.\"Order Id\", b.\"line;no\") > (?::integer, ?::smallint))"
                + " AND (b.\"Order Id\", b.\"line;no\") <= (?::integer, ?::smallint), false)");
    assertThat(parameters(skipping)).as("limit, no-cursor flag, cursor, high key").isEqualTo(6);
    assertThat(all).doesNotContain("WHERE NOT coalesce");
    assertThat(parameters(all)).as("limit").isEqualTo(1);
  }

  @Test
  void replayOfATableWithOnlyKeyColumnsDoesNothingOnConflict() {
    ReplaySql.Direction keysOnly = direction(KEY, List.of(), false);

    assertThat(ReplaySql.replayBatch(keysOnly, false))
        .contains("ON CONFLICT (\"Order Id\", \"line;no\") DO NOTHING");
  }

  @Test
  void identityAlwaysColumnsAreWrittenWithOverridingSystemValue() {
    ReplaySql.Direction overriding = direction(KEY, List.of(HOSTILE), true);

    assertThat(CopySql.backfillBatch(overriding)).contains(") OVERRIDING SYSTEM VALUE SELECT ");
    assertThat(ReplaySql.replayBatch(overriding, false))
        .contains(") OVERRIDING SYSTEM VALUE SELECT ");
    assertThat(CopySql.backfillBatch(COMPOSITE)).doesNotContain("OVERRIDING");
  }

  @Test
  void renamedKeyColumnIsMatchedByItsNewNameOnTheTarget() {
    List<KeyColumn> renamed = List.of(new KeyColumn("id", "bigint", "user_id", "bigint"));
    Projection projection = new Projection(List.of("id"));
    projection.rename("id", "user_id");
    ReplaySql.Direction d =
        new ReplaySql.Direction(
            FROM, TO, LOG, renamed, projection, List.of("user_id"), List.of(), false);

    String replay = ReplaySql.replayBatch(d, false);

    assertThat(replay)
        .contains("ON CONFLICT (\"user_id\")")
        .contains("WHERE t.\"user_id\" = k.\"id\"");
    assertThat(VerifySql.targetDigest(d, true))
        .contains("WHERE (? OR (t.\"user_id\") > (?::bigint))")
        .contains("WHERE l.\"id\" = t.\"user_id\"");
  }

  @Test
  void noIdentifierEscapesItsQuotes() {
    List<String> statements =
        List.of(
            CopySql.backfillBatch(COMPOSITE),
            ReplaySql.replayBatch(COMPOSITE, true),
            CopySql.maxKey(COMPOSITE),
            VerifySql.nextChunk(COMPOSITE),
            VerifySql.sourceDigest(COMPOSITE, Map.of(), true),
            VerifySql.targetDigest(COMPOSITE, false));

    for (String sql : statements) {
      assertThat(QUOTED_IDENTIFIER.matcher(sql).replaceAll("<identifier>"))
          .as(sql)
          .doesNotContain("DROP TABLE")
          .doesNotContain("--")
          .doesNotContain("\"");
    }
  }

  @Test
  void captureLogsOnlyTheKeyWithItsTypesFromStatementLevelTriggers() {
    List<String> capture =
        ReplaySql.capture(
            List.of(new ReplaySql.Captured(FROM, null)),
            LOG,
            "\"inflight\".\"capture\"",
            KEY,
            Names::captureTrigger);

    assertThat(capture).hasSize(11);
    assertThat(capture.get(0))
        .isEqualTo(
            "CREATE TABLE \"inflight\".\"sales.Line Items__log\" (inflight_seq bigint GENERATED"
                + " ALWAYS AS IDENTITY PRIMARY KEY, \"Order Id\" integer, \"line;no\" smallint,"
                + " inflight_truncated boolean NOT NULL DEFAULT false)");
    assertThat(capture.get(1))
        .isEqualTo(
            "CREATE INDEX ON \"inflight\".\"sales.Line Items__log\" (inflight_seq) WHERE"
                + " inflight_truncated");
    assertThat(capture.get(2))
        .startsWith(
            "CREATE FUNCTION \"inflight\".\"capture\"() RETURNS trigger LANGUAGE plpgsql SECURITY"
                + " DEFINER SET search_path = pg_catalog, pg_temp AS $ifl$\n")
        .contains(
            "INSERT INTO \"inflight\".\"sales.Line Items__log\" (\"Order Id\", \"line;no\")"
                + " SELECT n.\"Order Id\", n.\"line;no\" FROM inflight_new AS n UNION"
                + " SELECT o.\"Order Id\", o.\"line;no\" FROM inflight_old AS o;")
        // A TRUNCATE is a marker in the log; the capture never touches the shadow.
        .contains(
            "INSERT INTO \"inflight\".\"sales.Line Items__log\" (inflight_truncated) VALUES (true);")
        .doesNotContain("TRUNCATE TABLE")
        .doesNotContain(HOSTILE);
    assertThat(capture.subList(3, 7))
        .allSatisfy(
            trigger ->
                assertThat(trigger)
                    .contains(" ON \"sales\".\"Line Items\" ")
                    .endsWith("FOR EACH STATEMENT EXECUTE FUNCTION \"inflight\".\"capture\"()"))
        .extracting(trigger -> trigger.substring(0, trigger.indexOf(" AFTER")))
        .containsExactly(
            "CREATE TRIGGER \"inflight_capture_ins\"",
            "CREATE TRIGGER \"inflight_capture_upd\"",
            "CREATE TRIGGER \"inflight_capture_del\"",
            "CREATE TRIGGER \"inflight_capture_trn\"");
    assertThat(capture.subList(7, 11))
        .containsExactly(
            "ALTER TABLE \"sales\".\"Line Items\" ENABLE ALWAYS TRIGGER \"inflight_capture_ins\"",
            "ALTER TABLE \"sales\".\"Line Items\" ENABLE ALWAYS TRIGGER \"inflight_capture_upd\"",
            "ALTER TABLE \"sales\".\"Line Items\" ENABLE ALWAYS TRIGGER \"inflight_capture_del\"",
            "ALTER TABLE \"sales\".\"Line Items\" ENABLE ALWAYS TRIGGER \"inflight_capture_trn\"");
  }

  @Test
  void captureFunctionIsQuotedWithATagItsBodyDoesNotContain() {
    List<KeyColumn> key = List.of(new KeyColumn("a$ifl$b", "integer", "a$ifl$b", "integer"));

    String function =
        ReplaySql.capture(
                List.of(new ReplaySql.Captured(FROM, null)),
                LOG,
                "\"inflight\".\"capture\"",
                key,
                Names::captureTrigger)
            .get(2);

    assertThat(function).contains(" AS $ifl1$\n").endsWith("\n$ifl1$");
  }

  @Test
  void dollarQuoteTriesTagsUntilOneIsAbsent() {
    assertThat(ReplaySql.dollarQuote("SELECT 1")).isEqualTo("$ifl$\nSELECT 1\n$ifl$");
    assertThat(ReplaySql.dollarQuote("$ifl$ $ifl1$")).isEqualTo("$ifl2$\n$ifl$ $ifl1$\n$ifl2$");
  }

  @Test
  void dropCaptureRemovesTriggersBeforeTheFunctionAndToleratesAnEarlierPartialAttempt() {
    List<String> drop =
        ReplaySql.dropCapture(
            List.of(FROM), LOG, "\"inflight\".\"capture\"", Names::captureTrigger);

    assertThat(drop)
        .containsExactly(
            "DROP TRIGGER IF EXISTS \"inflight_capture_ins\" ON \"sales\".\"Line Items\"",
            "DROP TRIGGER IF EXISTS \"inflight_capture_upd\" ON \"sales\".\"Line Items\"",
            "DROP TRIGGER IF EXISTS \"inflight_capture_del\" ON \"sales\".\"Line Items\"",
            "DROP TRIGGER IF EXISTS \"inflight_capture_trn\" ON \"sales\".\"Line Items\"",
            "DROP FUNCTION IF EXISTS \"inflight\".\"capture\"()",
            "DROP TABLE IF EXISTS \"inflight\".\"sales.Line Items__log\"");
  }

  /** Dropping a trigger locks its table; dropping only the store does not touch the table. */
  @Test
  void dropCaptureStoreNamesNoTable() {
    assertThat(ReplaySql.dropCaptureStore(LOG, "\"inflight\".\"capture\""))
        .containsExactly(
            "DROP FUNCTION IF EXISTS \"inflight\".\"capture\"()",
            "DROP TABLE IF EXISTS \"inflight\".\"sales.Line Items__log\"")
        .noneMatch(sql -> sql.contains("Line Items\""));
  }

  @Test
  void sourceDigestComparesTransformedRowsCastToTheNewTypesLeavingOutLoggedKeys() {
    String sql = VerifySql.sourceDigest(COMPOSITE, Map.of("line;no", "integer"), true);

    assertThat(sql)
        .startsWith("SELECT count(*), coalesce(sum(hash_record_extended(ROW(t.\"Order Id\",")
        .contains("CAST(\"line;no\" AS integer) AS \"line;no\"")
        .contains("\"Order Id\" AS \"Order Id\"")
        .contains(
            "NOT EXISTS (SELECT 1 FROM \"inflight\".\"sales.Line Items__log\" AS l"
                + " WHERE l.\"Order Id\" = s.\"Order Id\" AND l.\"line;no\" = s.\"line;no\")");
    assertThat(parameters(sql))
        .as("no-lower flag, lower key, no-upper flag, upper key")
        .isEqualTo(6);
  }

  @Test
  void digestHashesTheRowTextWhenATypeHasNoHashFunction() {
    assertThat(VerifySql.sourceDigest(COMPOSITE, Map.of(), false))
        .contains("hashtextextended(ROW(")
        .contains(")::text, 0)")
        .doesNotContain("hash_record_extended");
    assertThat(VerifySql.targetDigest(COMPOSITE, false)).contains("hashtextextended(ROW(");
  }

  @Test
  void targetDigestTakesTheSameParametersAsTheSourceDigest() {
    assertThat(parameters(VerifySql.targetDigest(COMPOSITE, true)))
        .isEqualTo(parameters(VerifySql.sourceDigest(COMPOSITE, Map.of(), true)));
  }

  @Test
  void maxKeyAndNextChunkOrderByTheWholeKey() {
    assertThat(CopySql.maxKey(COMPOSITE))
        .isEqualTo(
            "SELECT ARRAY[s.\"Order Id\"::text, s.\"line;no\"::text] FROM \"sales\".\"Line Items\""
                + " AS s ORDER BY s.\"Order Id\" DESC, s.\"line;no\" DESC LIMIT 1");
    String chunk = VerifySql.nextChunk(COMPOSITE);
    assertThat(chunk)
        .contains(
            "ORDER BY s.\"Order Id\", s.\"line;no\" LIMIT ?) AS c ORDER BY c.\"Order Id\" DESC, c.\"line;no\" DESC LIMIT 1");
    assertThat(parameters(chunk)).as("no-lower flag, lower key, limit").isEqualTo(4);
  }

  @Test
  void backlogCountsAtMostAMillionKeys() {
    assertThat(ReplaySql.backlog(LOG))
        .isEqualTo(
            "SELECT count(*) FROM (SELECT 1 FROM \"inflight\".\"sales.Line Items__log\" LIMIT"
                + " 1000000) AS b");
  }

  private static long parameters(String sql) {
    return QUOTED_IDENTIFIER.matcher(sql).replaceAll("").chars().filter(c -> c == '?').count();
  }
}
