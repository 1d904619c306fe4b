package dev.inflight.engine.plan;

import dev.inflight.engine.plan.ReplaySql.Direction;
import dev.inflight.engine.sql.Sql;
import java.util.List;

/**
 * The copy's statements, for one {@link Direction}: the end key, the sample that cuts the key
 * ranges, one keyset batch of a range, and the removal of the logged keys' rows before the key is
 * built.
 */
final class CopySql {
  private CopySql() {}

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
    String orderDesc = ReplaySql.keyList("s", k, " DESC");
    String lastKey = ReplaySql.keyList("s", k, "::text");
    return "WITH src AS (SELECT * FROM "
        + d.from()
        + " AS s WHERE "
        + copyRange(d)
        + " ORDER BY "
        + order
        + " LIMIT ?), ins AS ("
        + ReplaySql.insert(d, "src")
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
        + ReplaySql.keyList("c", k, "::text")
        + "] FROM (SELECT "
        + Sql.idents("s", k)
        + ", row_number() OVER (ORDER BY "
        + Sql.idents("s", k)
        + ") AS inflight_n, count(*) OVER () AS inflight_total FROM "
        + d.from()
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
        + d.to()
        + " AS t USING (SELECT DISTINCT "
        + Sql.idents("l", k)
        + " FROM "
        + d.log()
        + " AS l) AS k WHERE "
        + Sql.joinOn("t", d.toKey(), "k", k);
  }

  /**
   * Keys of {@code s} after a start key and up to the copy's end, as the copy reads them.
   * Parameters: no-start flag, start key, end key.
   */
  private static String copyRange(Direction d) {
    String sk = ReplaySql.row("s", d.fromKey());
    String types = Sql.paramRow(d.fromKeyTypes());
    return "(? OR " + sk + " > " + types + ") AND " + sk + " <= " + types;
  }

  /** The largest key, as text[]; the copy stops there and replay covers what comes after. */
  static String maxKey(Direction d) {
    List<String> k = d.fromKey();
    String desc = ReplaySql.keyList("s", k, " DESC");
    String text = ReplaySql.keyList("s", k, "::text");
    return "SELECT ARRAY[" + text + "] FROM " + d.from() + " AS s ORDER BY " + desc + " LIMIT 1";
  }
}
