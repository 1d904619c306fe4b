package dev.inflight.engine.sync;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits the copy into key ranges of about equal rows, from keys sampled by blocks ({@code
 * TABLESAMPLE SYSTEM}), so the boundaries follow the key's real distribution whatever its type
 * (text, uuid, composite keys, gaps) and the sample costs a few hundred block reads, not a scan.
 *
 * <p>A range is the unit that is copied by one worker at a time and verified in one snapshot, so
 * ranges are kept to about {@link #ROWS_PER_RANGE} rows (a snapshot held no longer than a fraction
 * of a second), and there are at least a few per worker, so that workers finishing early find more.
 */
public final class RangeSplit {
  /** Rows per range, unthrottled. */
  static final long ROWS_PER_RANGE = 250_000;

  /** Below this many rows the copy is one range: splitting would cost more than it saves. */
  static final long SPLIT_FROM_ROWS = 50_000;

  static final int RANGES_PER_WORKER = 4;
  static final int MAX_RANGES = 1_024;

  /** Blocks sampled per range wanted: enough distinct places for stable boundaries. */
  static final int BLOCKS_PER_RANGE = 64;

  private static final long BLOCK = 8_192;

  private RangeSplit() {}

  /**
   * How many ranges to cut: one for a small table, otherwise about {@link #ROWS_PER_RANGE} rows
   * each, and at least {@link #RANGES_PER_WORKER} per worker.
   */
  public static int ranges(long rows, int workers) {
    if (rows < SPLIT_FROM_ROWS) {
      return 1;
    }
    long wanted =
        Math.max((rows + ROWS_PER_RANGE - 1) / ROWS_PER_RANGE, (long) RANGES_PER_WORKER * workers);
    return (int) Math.min(MAX_RANGES, Math.min(wanted, rows / 1_000));
  }

  /**
   * The size of the table's heap alone, which the sample reads blocks of (its indexes and TOAST
   * would make the sample smaller than meant).
   */
  public static long heapBytes(Connection c, String tableSql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_relation_size(?::regclass)")) {
      ps.setString(1, tableSql);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** The sample's size, in percent of the table's blocks. */
  static double samplePercent(int ranges, long heapBytes) {
    long blocks = Math.max(1, heapBytes / BLOCK);
    return Math.min(100.0, 100.0 * ranges * BLOCKS_PER_RANGE / blocks);
  }

  /**
   * The boundaries between {@code ranges} ranges of the keys in (start, high]: ascending, each
   * above start and below high, without repeats; fewer than {@code ranges - 1} when the sample
   * holds fewer distinct keys.
   */
  public static List<List<String>> boundaries(
      Connection c,
      String sampleSql,
      List<String> start,
      List<String> high,
      int ranges,
      long heapBytes)
      throws SQLException {
    List<List<String>> out = new ArrayList<>();
    if (ranges <= 1 || sampleSql == null || high == null) {
      return out;
    }
    try (PreparedStatement ps = c.prepareStatement(sampleSql)) {
      int i = 1;
      ps.setDouble(i++, samplePercent(ranges, heapBytes));
      ps.setBoolean(i++, start == null);
      i = RowMover.bindKey(ps, i, start, high.size());
      i = RowMover.bindKey(ps, i, high, high.size());
      ps.setLong(i, ranges);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Array a = rs.getArray(1);
          List<String> key = List.of((String[]) a.getArray());
          boolean repeat = !out.isEmpty() && out.get(out.size() - 1).equals(key);
          if (!repeat && !key.equals(high)) {
            out.add(key);
          }
        }
      }
    }
    // The sample's last key can be the high key's neighbour; at most ranges - 1 cuts are kept.
    return out.size() < ranges ? out : out.subList(0, ranges - 1);
  }
}
