package dev.inflight.engine.plan;

import dev.inflight.engine.sql.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The statements that move rows from one table to another through a projection: the replay of
 * logged keys and the change-capture trigger, and the parts the copy ({@link CopySql}) and the
 * verification ({@link VerifySql}) share with them. The same code serves the forward direction
 * (original to shadow) and the reverse one (new table to archived), so both directions behave
 * alike.
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
  static String keyList(String alias, List<String> cols, String suffix) {
    return cols.stream()
        .map(c -> alias + "." + Sql.ident(c) + suffix)
        .collect(Collectors.joining(", "));
  }

  static String row(String alias, List<String> cols) {
    return "(" + Sql.idents(alias, cols) + ")";
  }

  static String insert(Direction d, String from) {
    return "INSERT INTO "
        + d.to
        + " ("
        + Sql.idents(d.columns)
        + ")"
        + (d.overriding ? " OVERRIDING SYSTEM VALUE " : " ")
        + d.projection.select(d.columns, from, null);
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
   * A relation the capture is installed on, and what a TRUNCATE of it empties on the target: null
   * for the whole target (the table itself), else the target's partition with the same bound.
   */
  record Captured(String table, String truncates) {}

  /**
   * The log table and its marker index, the capture function, its four statement-level triggers on
   * each relation, and the statements that make them fire whatever {@code session_replication_role}
   * says. A partitioned table's statement triggers fire only for statements that name it, so every
   * partition has its own, and a TRUNCATE marker records which partition of the target it empties
   * ({@code inflight_target}, null for the whole target).
   */
  static List<String> capture(
      List<Captured> relations,
      String log,
      String function,
      List<KeyColumn> key,
      UnaryOperator<String> triggerName) {
    boolean partitioned = relations.size() > 1;
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
            + ", inflight_truncated boolean NOT NULL DEFAULT false"
            + (partitioned ? ", inflight_target text" : "")
            + ")");
    out.add("CREATE INDEX ON " + log + " (inflight_seq) WHERE inflight_truncated");
    String into = "INSERT INTO " + log + " (" + Sql.idents(k) + ") ";
    String marker =
        partitioned
            ? " (inflight_truncated, inflight_target) VALUES (true, nullif(TG_ARGV[0], ''));\n"
            : " (inflight_truncated) VALUES (true);\n";
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
            + marker
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
    for (Captured r : relations) {
      String call =
          function
              + (partitioned
                  ? "(" + Sql.literal(r.truncates() == null ? "" : r.truncates()) + ")"
                  : "()");
      out.add(
          "CREATE TRIGGER "
              + Sql.ident(triggerName.apply("ins"))
              + " AFTER INSERT ON "
              + r.table()
              + " REFERENCING NEW TABLE AS inflight_new FOR EACH STATEMENT EXECUTE FUNCTION "
              + call);
      out.add(
          "CREATE TRIGGER "
              + Sql.ident(triggerName.apply("upd"))
              + " AFTER UPDATE ON "
              + r.table()
              + " REFERENCING OLD TABLE AS inflight_old NEW TABLE AS inflight_new FOR EACH STATEMENT EXECUTE FUNCTION "
              + call);
      out.add(
          "CREATE TRIGGER "
              + Sql.ident(triggerName.apply("del"))
              + " AFTER DELETE ON "
              + r.table()
              + " REFERENCING OLD TABLE AS inflight_old FOR EACH STATEMENT EXECUTE FUNCTION "
              + call);
      out.add(
          "CREATE TRIGGER "
              + Sql.ident(triggerName.apply("trn"))
              + " AFTER TRUNCATE ON "
              + r.table()
              + " FOR EACH STATEMENT EXECUTE FUNCTION "
              + call);
      // Fired whatever session_replication_role a writer sets (ETL loaders, pg_restore
      // --disable-triggers and some replication appliers set replica, which skips plain
      // triggers). On a partitioned table this does not reach the partitions' own triggers.
      for (String event : List.of("ins", "upd", "del", "trn")) {
        out.add(
            "ALTER TABLE "
                + r.table()
                + " ENABLE ALWAYS TRIGGER "
                + Sql.ident(triggerName.apply(event)));
      }
    }
    return out;
  }

  /** Drops what {@link #capture} created, tolerating a partial earlier attempt. */
  static List<String> dropCapture(
      List<String> tables, String log, String function, UnaryOperator<String> triggerName) {
    List<String> out = new ArrayList<>();
    for (String table : tables) {
      for (String event : List.of("ins", "upd", "del", "trn")) {
        out.add("DROP TRIGGER IF EXISTS " + Sql.ident(triggerName.apply(event)) + " ON " + table);
      }
    }
    out.addAll(dropCaptureStore(log, function));
    return out;
  }

  /** The capture's function and log alone: no lock on the captured table. */
  static List<String> dropCaptureStore(String log, String function) {
    return List.of("DROP FUNCTION IF EXISTS " + function + "()", "DROP TABLE IF EXISTS " + log);
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
