package dev.inflight.engine.plan;

import dev.inflight.engine.plan.ReplaySql.Direction;
import dev.inflight.engine.sql.Sql;
import java.util.List;
import java.util.Map;

/**
 * The verification's statements, for one {@link Direction}: the boundary of the next chunk in key
 * order, and the row count and content digest of a key range on either side.
 */
final class VerifySql {
  private VerifySql() {}

  /**
   * Chunk boundary: the key {@code limit} rows after the lower bound. Parameters: no-lower flag,
   * lower key, limit.
   */
  static String nextChunk(Direction d) {
    List<String> k = d.fromKey();
    String sk = ReplaySql.row("s", k);
    String asc = Sql.idents("s", k);
    String desc = ReplaySql.keyList("c", k, " DESC");
    String text = ReplaySql.keyList("c", k, "::text");
    return "SELECT ARRAY["
        + text
        + "] FROM (SELECT "
        + Sql.idents("s", k)
        + " FROM "
        + d.from()
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
    String r = ReplaySql.row(alias, cols);
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
            + d.from()
            + " AS s WHERE "
            + rangeFilter("s", k, d.fromKeyTypes())
            + " AND NOT EXISTS (SELECT 1 FROM "
            + d.log()
            + " AS l WHERE "
            + Sql.joinOn("l", k, "s", k)
            + "))";
    return "SELECT "
        + (recordHash ? RECORD_DIGEST : TEXT_DIGEST).formatted(Sql.idents("t", d.columns()))
        + " FROM ("
        + d.projection().select(d.columns(), rows, targetTypes)
        + ") AS t";
  }

  /** The same digest over the target's rows. Parameters as {@link #sourceDigest}. */
  static String targetDigest(Direction d, boolean recordHash) {
    return "SELECT "
        + (recordHash ? RECORD_DIGEST : TEXT_DIGEST).formatted(Sql.idents("t", d.columns()))
        + " FROM "
        + d.to()
        + " AS t WHERE "
        + rangeFilter("t", d.toKey(), d.fromKeyTypes())
        + " AND NOT EXISTS (SELECT 1 FROM "
        + d.log()
        + " AS l WHERE "
        + Sql.joinOn("l", d.fromKey(), "t", d.toKey())
        + ")";
  }
}
