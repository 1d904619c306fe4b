package dev.inflight.engine.plan;

import dev.inflight.engine.sql.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The statements that move rows from one table to another through a projection: the keyset batch
 * copy, the replay of logged keys, the change-capture trigger, and the verification digests. The
 * same code serves the forward direction (original to shadow) and the reverse one (new table to
 * archived), so both directions behave alike.
 */
final class ReplaySql {
  /** One direction of row movement. */
  record Direction(
      String from,
      String to,
      String log,
      List<KeyColumn> key,
      Projection projection,
      List<String> columns,
      List<String> updatable,
      boolean overriding) {

    List<String> fromKey() {
      return key.stream().map(KeyColumn::source).toList();
    }

    List<String> fromKeyTypes() {
      return key.stream().map(KeyColumn::sourceType).toList();
    }

    List<String> toKey() {
      return key.stream().map(KeyColumn::target).toList();
    }
  }

  private ReplaySql() {}

  /** The key columns of {@code alias}, each followed by {@code suffix} (" DESC", "::text"). */
  private static String keyList(String alias, List<String> cols, String suffix) {
    return cols.stream()
        .map(c -> alias + "." + Sql.ident(c) + suffix)
        .collect(Collectors.joining(", "));
  }

  private static String row(String alias, List<String> cols) {
    return "(" + Sql.idents(alias, cols) + ")";
  }

  private static String insert(Direction d, String from) {
    return "INSERT INTO "
        + d.to
        + " ("
        + Sql.idents(d.columns)
        + ")"
        + (d.overriding ? " OVERRIDING SYSTEM VALUE " : " ")
        + d.projection.select(d.columns, from, null);
  }

  /**
   * One keyset batch. Parameters: no-cursor flag, cursor key, high key, limit. Returns rows read,
   * rows inserted, and the last key read as text[].
   *
   * <p>A plain insert, without {@code ON CONFLICT}: no key between the cursor and the high key can
   * be in the target yet, since nothing but the copy writes the shadow until every range is copied
   * (replay starts after the key is built) and the cursor moves in the batch's own transaction. A
   * plan stored before the copy in ranges has the key from the start, and its duplicate here is a
   * broken invariant that fails the migration loudly; otherwise the key's build is where a
   * duplicate shows ({@code clearLogged}). (The speculative insertion {@code ON CONFLICT} needs
   * costs a third of the copy's time.)
   */
  static String backfillBatch(Direction d) {
    List<String> k = d.fromKey();
    String order = Sql.idents("s", k);
    String orderDesc = keyList("s", k, " DESC");
    String lastKey = keyList("s", k, "::text");
    return "WITH src AS (SELECT * FROM "
        + d.from
        + " AS s WHERE "
        + copyRange(d)
        + " ORDER BY "
        + order
        + " LIMIT ?), ins AS ("
        + insert(d, "src")
        + " RETURNING 1)"
        + " SELECT (SELECT count(*) FROM src), (SELECT count(*) FROM ins),"
        + " (SELECT ARRAY["
        + lastKey
        + "] FROM src AS s ORDER BY "
        + orderDesc
        + " LIMIT 1)";
  }

  /**
   * Keys about evenly spaced in key order, from the rows of a sample of the table's blocks: the
   * boundaries of the copy's ranges, so that ranges hold about as many rows whatever the key's type
   * and distribution (no assumption of dense integers). Parameters: sample percentage, no-start
   * flag, start key (exclusive), high key (inclusive), number of ranges wanted. Returns one text[]
   * key per row, ascending.
   */
  static String sampleKeys(Direction d) {
    List<String> k = d.fromKey();
    return "SELECT ARRAY["
        + keyList("c", k, "::text")
        + "] FROM (SELECT "
        + Sql.idents("s", k)
        + ", row_number() OVER (ORDER BY "
        + Sql.idents("s", k)
        + ") AS inflight_n, count(*) OVER () AS inflight_total FROM "
        + d.from
        + " AS s TABLESAMPLE SYSTEM (?::real) WHERE "
        + copyRange(d)
        + ") AS c WHERE c.inflight_n % greatest(1, c.inflight_total / ?::bigint) = 0 ORDER BY "
        + Sql.idents("c", k);
  }

  /**
   * Deletes from the target every row whose key is in the log, in one statement that needs no index
   * on either side: run before the target's key is built, when the copy is done and nothing has
   * been replayed, so that what is left are rows no change touched since capture began.
   */
  static String clearLogged(Direction d) {
    List<String> k = d.fromKey();
    return "DELETE FROM "
        + d.to
        + " AS t USING (SELECT DISTINCT "
        + Sql.idents("l", k)
        + " FROM "
        + d.log
        + " AS l) AS k WHERE "
        + Sql.joinOn("t", d.toKey(), "k", k);
  }

  /**
   * Keys of {@code s} after a start key and up to the copy's end, as the copy reads them.
   * Parameters: no-start flag, start key, end key.
   */
  private static String copyRange(Direction d) {
    String sk = row("s", d.fromKey());
    String types = Sql.paramRow(d.fromKeyTypes());
    return "(? OR " + sk + " > " + types + ") AND " + sk + " <= " + types;
  }

  /** The largest key, as text[]; the copy stops there and replay covers what comes after. */
  static String maxKey(Direction d) {
    List<String> k = d.fromKey();
    String desc = keyList("s", k, " DESC");
    String text = keyList("s", k, "::text");
    return "SELECT ARRAY[" + text + "] FROM " + d.from + " AS s ORDER BY " + desc + " LIMIT 1";
  }

  /**
   * Replays up to a limit of logged keys: re-reads each key's current row and upserts it, or
   * deletes it from the target when it no longer exists. With {@code skipRange}, keys between the
   * copy cursor and the high key are dropped from the log unreplayed, because the copy will read
   * them later anyway. Parameters: limit, then (with skipRange) no-cursor flag, cursor key, high
   * key. Returns log entries consumed, distinct keys, rows deleted, rows upserted.
   */
  static String replayBatch(Direction d, boolean skipRange) {
    return replay(d, skipRange, false);
  }

  /**
   * Replays every logged key in one statement, deleting their rows from the target before inserting
   * their current rows: what a batch does when a unique value moved between rows.
   *
   * <p>Upserting a batch row by row can visit a state the source never had (a position rotated
   * through a temporary value, a default flag handed on), and no order of the batch's rows avoids
   * it when the other row's entry is outside the batch. The whole log read in one snapshot is a
   * closed set: every target row outside it already equals the source as of that snapshot (its last
   * change was replayed, and a later change would have committed a visible entry with it), so after
   * this statement the target's rows are a subset of one committed state of the source, which
   * satisfies every unique index both share. A unique violation here is a duplicate in the data
   * itself. Parameters and results as {@link #replayBatch}.
   */
  static String replayAll(Direction d, boolean skipRange) {
    return replay(d, skipRange, true);
  }

  private static String replay(Direction d, boolean skipRange, boolean replace) {
    List<String> k = d.fromKey();
    String keysFilter = "";
    if (skipRange) {
      String types = Sql.paramRow(d.fromKeyTypes());
      String bk = row("b", k);
      keysFilter =
          " WHERE NOT coalesce((? OR "
              + bk
              + " > "
              + types
              + ") AND "
              + bk
              + " <= "
              + types
              + ", false)";
    }
    // A key can change and still compare equal (numeric 1.0 to 1.00, a case change under citext):
    // such key columns are rewritten too, so the target row ends byte for byte like the source.
    List<String> assigned = new ArrayList<>();
    for (KeyColumn c : d.key) {
      if (!ByteIdentity.of(c.targetType())) {
        assigned.add(c.target());
      }
    }
    assigned.addAll(d.updatable);
    String onConflict =
        assigned.isEmpty()
            ? "DO NOTHING"
            : "DO UPDATE SET "
                + assigned.stream()
                    .map(c -> Sql.ident(c) + " = EXCLUDED." + Sql.ident(c))
                    .collect(Collectors.joining(", "));
    // Entries after a TRUNCATE marker wait until the engine has emptied the target (Truncations).
    return "WITH batch AS (DELETE FROM "
        + d.log
        + " AS l WHERE l.inflight_seq IN (SELECT inflight_seq FROM "
        + d.log
        + " WHERE inflight_seq < coalesce((SELECT min(m.inflight_seq) FROM "
        + d.log
        + " AS m WHERE m.inflight_truncated), 9223372036854775807) ORDER BY inflight_seq LIMIT ?)"
        + " RETURNING "
        + Sql.idents("l", k)
        + "),"
        + " keys AS (SELECT DISTINCT "
        + Sql.idents("b", k)
        + " FROM batch AS b"
        + keysFilter
        + "),"
        + " src AS (SELECT s.* FROM "
        + d.from
        + " AS s JOIN keys AS k ON "
        + Sql.joinOn("s", k, "k", k)
        + "),"
        + " del AS (DELETE FROM "
        + d.to
        + " AS t USING keys AS k WHERE "
        + Sql.joinOn("t", d.toKey(), "k", k)
        + (replace
            ? ""
            : " AND NOT EXISTS (SELECT 1 FROM src AS s WHERE " + Sql.joinOn("s", k, "k", k) + ")")
        + " RETURNING 1),"
        + " ups AS ("
        // Replacing, the inserts wait for the deletes (a CTE nobody reads runs last).
        + insert(d, replace ? "(SELECT * FROM src WHERE (SELECT count(*) FROM del) >= 0)" : "src")
        + (replace ? "" : " ON CONFLICT (" + Sql.idents(d.toKey()) + ") " + onConflict)
        + " RETURNING 1)"
        + " SELECT (SELECT count(*) FROM batch), (SELECT count(*) FROM keys),"
        + (replace
            ? " greatest(0, (SELECT count(*) FROM del) - (SELECT count(*) FROM ups)),"
            : " (SELECT count(*) FROM del),")
        + " (SELECT count(*) FROM ups)";
  }

  /** Keys waiting in a log, counted up to a million. */
  static String backlog(String log) {
    return "SELECT count(*) FROM (SELECT 1 FROM " + log + " LIMIT 1000000) AS b";
  }

  /**
   * The log table and its marker index, the capture function, its four statement-level triggers,
   * and the statements that make them fire whatever {@code session_replication_role} says.
   */
  static List<String> capture(
      String table,
      String log,
      String function,
      List<KeyColumn> key,
      UnaryOperator<String> triggerName) {
    List<String> k = key.stream().map(KeyColumn::source).toList();
    List<String> out = new ArrayList<>();
    String cols =
        key.stream()
            .map(c -> Sql.ident(c.source()) + " " + c.sourceType())
            .collect(Collectors.joining(", "));
    // The log's own columns carry a prefix no key column may have (Names refuses it). A TRUNCATE
    // is logged as a marker row (keys NULL, inflight_truncated true); the engine empties the
    // target when replay reaches it, so the application's TRUNCATE never waits on the shadow.
    out.add(
        "CREATE TABLE "
            + log
            + " (inflight_seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
            + cols
            + ", inflight_truncated boolean NOT NULL DEFAULT false)");
    out.add("CREATE INDEX ON " + log + " (inflight_seq) WHERE inflight_truncated");
    String into = "INSERT INTO " + log + " (" + Sql.idents(k) + ") ";
    String body =
        "BEGIN\n"
            + "  IF TG_OP = 'INSERT' THEN\n"
            + "    "
            + into
            + "SELECT "
            + Sql.idents("n", k)
            + " FROM inflight_new AS n;\n"
            + "  ELSIF TG_OP = 'UPDATE' THEN\n"
            + "    "
            + into
            + "SELECT "
            + Sql.idents("n", k)
            + " FROM inflight_new AS n UNION SELECT "
            + Sql.idents("o", k)
            + " FROM inflight_old AS o;\n"
            + "  ELSIF TG_OP = 'DELETE' THEN\n"
            + "    "
            + into
            + "SELECT "
            + Sql.idents("o", k)
            + " FROM inflight_old AS o;\n"
            + "  ELSE\n"
            + "    INSERT INTO "
            + log
            + " (inflight_truncated) VALUES (true);\n"
            + "  END IF;\n"
            + "  RETURN NULL;\n"
            + "END";
    // SECURITY DEFINER: the application's role needs no rights on the log; a fixed search_path
    // keeps the definer's rights from being borrowed through the caller's objects.
    out.add(
        "CREATE FUNCTION "
            + function
            + "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
            + " SET search_path = pg_catalog, pg_temp AS "
            + dollarQuote(body));
    out.add(
        "CREATE TRIGGER "
            + Sql.ident(triggerName.apply("ins"))
            + " AFTER INSERT ON "
            + table
            + " REFERENCING NEW TABLE AS inflight_new FOR EACH STATEMENT EXECUTE FUNCTION "
            + function
            + "()");
    out.add(
        "CREATE TRIGGER "
            + Sql.ident(triggerName.apply("upd"))
            + " AFTER UPDATE ON "
            + table
            + " REFERENCING OLD TABLE AS inflight_old NEW TABLE AS inflight_new FOR EACH STATEMENT EXECUTE FUNCTION "
            + function
            + "()");
    out.add(
        "CREATE TRIGGER "
            + Sql.ident(triggerName.apply("del"))
            + " AFTER DELETE ON "
            + table
            + " REFERENCING OLD TABLE AS inflight_old FOR EACH STATEMENT EXECUTE FUNCTION "
            + function
            + "()");
    out.add(
        "CREATE TRIGGER "
            + Sql.ident(triggerName.apply("trn"))
            + " AFTER TRUNCATE ON "
            + table
            + " FOR EACH STATEMENT EXECUTE FUNCTION "
            + function
            + "()");
    // Fired whatever session_replication_role a writer sets (ETL loaders, pg_restore
    // --disable-triggers and some replication appliers set replica, which skips plain triggers).
    for (String event : List.of("ins", "upd", "del", "trn")) {
      out.add(
          "ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER " + Sql.ident(triggerName.apply(event)));
    }
    return out;
  }

  /** Drops what {@link #capture} created, tolerating a partial earlier attempt. */
  static List<String> dropCapture(
      String table, String log, String function, UnaryOperator<String> triggerName) {
    List<String> out = new ArrayList<>();
    for (String event : List.of("ins", "upd", "del", "trn")) {
      out.add("DROP TRIGGER IF EXISTS " + Sql.ident(triggerName.apply(event)) + " ON " + table);
    }
    out.addAll(dropCaptureStore(log, function));
    return out;
  }

  /** The capture's function and log alone: no lock on the captured table. */
  static List<String> dropCaptureStore(String log, String function) {
    return List.of("DROP FUNCTION IF EXISTS " + function + "()", "DROP TABLE IF EXISTS " + log);
  }

  /**
   * Chunk boundary: the key {@code limit} rows after the lower bound. Parameters: no-lower flag,
   * lower key, limit.
   */
  static String nextChunk(Direction d) {
    List<String> k = d.fromKey();
    String sk = row("s", k);
    String asc = Sql.idents("s", k);
    String desc = keyList("c", k, " DESC");
    String text = keyList("c", k, "::text");
    return "SELECT ARRAY["
        + text
        + "] FROM (SELECT "
        + Sql.idents("s", k)
        + " FROM "
        + d.from
        + " AS s WHERE (? OR "
        + sk
        + " > "
        + Sql.paramRow(d.fromKeyTypes())
        + ") ORDER BY "
        + asc
        + " LIMIT ?) AS c ORDER BY "
        + desc
        + " LIMIT 1";
  }

  private static String rangeFilter(String alias, List<String> cols, List<String> types) {
    String r = row(alias, cols);
    String p = Sql.paramRow(types);
    return "(? OR " + r + " > " + p + ") AND (? OR " + r + " <= " + p + ")";
  }

  // A 64-bit hash of each row, summed: order-independent. The record hash uses each type's own
  // hash function (about five times faster than md5 of the row's text); it needs every compared
  // type to have one, otherwise the text form is hashed.
  private static final String RECORD_DIGEST =
      "count(*), coalesce(sum(hash_record_extended(ROW(%s), 0)), 0)";
  private static final String TEXT_DIGEST =
      "count(*), coalesce(sum(hashtextextended(ROW(%s)::text, 0)), 0)";

  /**
   * Row count and content digest of the source's rows in a key range, transformed and cast to the
   * target's column types, leaving out keys still waiting in the log. Parameters: no-lower flag,
   * lower key, no-upper flag, upper key.
   */
  static String sourceDigest(Direction d, Map<String, String> targetTypes, boolean recordHash) {
    List<String> k = d.fromKey();
    String rows =
        "(SELECT * FROM "
            + d.from
            + " AS s WHERE "
            + rangeFilter("s", k, d.fromKeyTypes())
            + " AND NOT EXISTS (SELECT 1 FROM "
            + d.log
            + " AS l WHERE "
            + Sql.joinOn("l", k, "s", k)
            + "))";
    return "SELECT "
        + (recordHash ? RECORD_DIGEST : TEXT_DIGEST).formatted(Sql.idents("t", d.columns))
        + " FROM ("
        + d.projection.select(d.columns, rows, targetTypes)
        + ") AS t";
  }

  /** The same digest over the target's rows. Parameters as {@link #sourceDigest}. */
  static String targetDigest(Direction d, boolean recordHash) {
    return "SELECT "
        + (recordHash ? RECORD_DIGEST : TEXT_DIGEST).formatted(Sql.idents("t", d.columns))
        + " FROM "
        + d.to
        + " AS t WHERE "
        + rangeFilter("t", d.toKey(), d.fromKeyTypes())
        + " AND NOT EXISTS (SELECT 1 FROM "
        + d.log
        + " AS l WHERE "
        + Sql.joinOn("l", d.fromKey(), "t", d.toKey())
        + ")";
  }

  /** Dollar-quotes a body with a tag that does not occur in it. */
  static String dollarQuote(String body) {
    String tag = "$ifl$";
    for (int i = 1; body.contains(tag); i++) {
      tag = "$ifl" + i + "$";
    }
    return tag + "\n" + body + "\n" + tag;
  }
}
