package dev.inflight.engine.sync;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The copy's key ranges in the ledger ({@code inflight.copy_ranges}), one row per range: where its
 * copy stands and whether it is verified. A worker takes a range by locking its row for the one
 * transaction that copies a batch of it (or verifies it), so two workers never work on one range at
 * once, a killed worker's range is free again the moment its transaction ends, and the cursor moves
 * in the same transaction as the rows it describes.
 */
public final class CopyRanges {
  /**
   * One range: keys in ({@code low}, {@code high}], copied from {@code cursor} on (null: from the
   * start). The first range has no {@code low}; the last one ends at the copy's end key (keys above
   * it reach the new table by replay, and are verified after the ranges, in key order).
   */
  public record Range(
      int number, List<String> low, List<String> high, boolean last, List<String> cursor) {
    /** What is left to copy. */
    public KeyRange toCopy() {
      return new KeyRange(cursor, high);
    }
  }

  private static final String COLUMNS = "range_no, low, high, last, cursor";

  private CopyRanges() {}

  /** True when the migration's ranges are recorded. */
  public static boolean planned(Connection c, long migration) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT EXISTS (SELECT 1 FROM inflight.copy_ranges WHERE migration_id = ?)")) {
      ps.setLong(1, migration);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /**
   * Records the ranges between {@code start} (exclusive; null: the first key) and {@code high}
   * (inclusive), split at {@code boundaries} (ascending, each above {@code start} and below {@code
   * high}); {@code copiedBefore} rows copied before the ranges existed are counted in the first.
   */
  public static void plan(
      Connection c,
      long migration,
      List<String> start,
      List<String> high,
      List<List<String>> boundaries,
      long copiedBefore)
      throws SQLException {
    List<List<String>> highs = new ArrayList<>(boundaries);
    highs.add(high);
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO inflight.copy_ranges (migration_id, "
                + COLUMNS
                + ", rows_copied) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      for (int i = 0; i < highs.size(); i++) {
        List<String> low = i == 0 ? null : highs.get(i - 1);
        ps.setLong(1, migration);
        ps.setInt(2, i);
        ps.setArray(3, array(c, low));
        ps.setArray(4, array(c, highs.get(i)));
        ps.setBoolean(5, i == highs.size() - 1);
        ps.setArray(6, array(c, i == 0 ? start : low));
        ps.setLong(7, i == 0 ? copiedBefore : 0);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /**
   * Takes a range that is not fully copied, {@code preferred} if it is free (a worker keeps to its
   * range, so ranges finish one by one), any other free one otherwise; empty when every range is
   * copied or taken. The row stays locked until the caller's transaction ends.
   */
  public static Optional<Range> takeToCopy(Connection c, long migration, int preferred)
      throws SQLException {
    return take(c, migration, preferred, "NOT copied");
  }

  /** Records a batch copied from {@code range}: its new cursor, and whether the range is done. */
  public static void copied(
      Connection c, long migration, int range, List<String> cursor, boolean done, long rows)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE inflight.copy_ranges SET cursor = ?, copied = ?, rows_copied = rows_copied + ?"
                + " WHERE migration_id = ? AND range_no = ?")) {
      ps.setArray(1, array(c, cursor));
      ps.setBoolean(2, done);
      ps.setLong(3, rows);
      ps.setLong(4, migration);
      ps.setInt(5, range);
      ps.executeUpdate();
    }
  }

  /** Takes a copied range that is not verified yet, as {@link #takeToCopy} does. */
  public static Optional<Range> takeToVerify(Connection c, long migration, int preferred)
      throws SQLException {
    return take(c, migration, preferred, "copied AND NOT verified");
  }

  /** Records a range verified, with the rows it held. */
  public static void verified(Connection c, long migration, int range, long rows)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE inflight.copy_ranges SET verified = true, rows_verified = ?"
                + " WHERE migration_id = ? AND range_no = ?")) {
      ps.setLong(1, rows);
      ps.setLong(2, migration);
      ps.setInt(3, range);
      ps.executeUpdate();
    }
  }

  /** How far the ranges are, counted over all of them. */
  public record Totals(int ranges, int copied, int verified, long rowsCopied, long rowsVerified) {
    public boolean allCopied() {
      return copied == ranges;
    }

    public boolean allVerified() {
      return verified == ranges;
    }
  }

  public static Totals totals(Connection c, long migration) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*), count(*) FILTER (WHERE copied), count(*) FILTER (WHERE verified),"
                + " coalesce(sum(rows_copied), 0), coalesce(sum(rows_verified), 0)"
                + " FROM inflight.copy_ranges WHERE migration_id = ?")) {
      ps.setLong(1, migration);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Totals(rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getLong(4), rs.getLong(5));
      }
    }
  }

  private static Optional<Range> take(Connection c, long migration, int preferred, String state)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM inflight.copy_ranges WHERE migration_id = ? AND "
                + state
                + " ORDER BY range_no = ? DESC, range_no LIMIT 1 FOR UPDATE SKIP LOCKED")) {
      ps.setLong(1, migration);
      ps.setInt(2, preferred);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Range(
                rs.getInt(1),
                list(rs.getArray(2)),
                list(rs.getArray(3)),
                rs.getBoolean(4),
                list(rs.getArray(5))));
      }
    }
  }

  private static Array array(Connection c, List<String> key) throws SQLException {
    return key == null ? null : c.createArrayOf("text", key.toArray(String[]::new));
  }

  private static List<String> list(Array a) throws SQLException {
    return a == null ? null : List.of((String[]) a.getArray());
  }
}
