package dev.inflight.engine.phase;

import dev.inflight.engine.EngineException;
import dev.inflight.engine.sql.Tx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * An application's TRUNCATE, as the capture logs it: a marker row. Replay stops in front of the
 * marker; here the engine, in its own transaction, empties the target and drops every entry up to
 * the marker (they describe rows the TRUNCATE removed). Entries after it are rows written since,
 * and replay then carries on with them. The TRUNCATE holds its table exclusively, so every entry
 * logged before the marker committed before it, and every entry after it committed later. A
 * partitioned table's capture logs a marker per partition truncated ({@link #apply}).
 */
final class Truncations {
  private Truncations() {}

  /**
   * Applies the first TRUNCATE marker of {@code logSql} to {@code targetSql}; false if none, or if
   * it is a partition's and entries precede it.
   *
   * <p>A marker of a partitioned table's partition ({@code inflight_target} names the target's
   * partition with the same bound) empties only that partition, and only once it is the log's first
   * entry: the entries before it may be other partitions' rows, so replay drains them first (it
   * stops in front of the marker), and then only the marker is dropped. A TRUNCATE of the table
   * itself logs its own marker first, then one per partition, each of which then finds its
   * partition already empty.
   *
   * @param partitions the target's partitions a marker may name; a marker naming any other relation
   *     fails the migration (only the engine's triggers write markers)
   */
  static boolean apply(Connection c, String logSql, String targetSql, List<String> partitions)
      throws SQLException {
    boolean targeted = !partitions.isEmpty();
    Long marker;
    String partition = null;
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT inflight_seq"
                    + (targeted ? ", inflight_target" : "")
                    + " FROM "
                    + logSql
                    + " WHERE inflight_truncated ORDER BY inflight_seq LIMIT 1");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return false;
      }
      marker = rs.getLong(1);
      if (targeted) {
        partition = rs.getString(2);
      }
    }
    if (partition == null) {
      Tx.execute(c, "TRUNCATE TABLE " + targetSql);
      try (PreparedStatement ps =
          c.prepareStatement("DELETE FROM " + logSql + " WHERE inflight_seq <= ?")) {
        ps.setLong(1, marker);
        ps.executeUpdate();
      }
      return true;
    }
    if (!partitions.contains(partition)) {
      throw EngineException.permanent(
          "the change log "
              + logSql
              + " holds a TRUNCATE marker for "
              + partition
              + ", which is not a partition of "
              + targetSql
              + "; the log was written by something other than the migration's capture, so"
              + " nothing was swapped");
    }
    try (PreparedStatement ps =
        c.prepareStatement("SELECT EXISTS (SELECT 1 FROM " + logSql + " WHERE inflight_seq < ?)")) {
      ps.setLong(1, marker);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getBoolean(1)) {
          return false;
        }
      }
    }
    Tx.execute(c, "TRUNCATE TABLE " + partition);
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM " + logSql + " WHERE inflight_seq = ?")) {
      ps.setLong(1, marker);
      ps.executeUpdate();
    }
    return true;
  }

  /** True when the log holds a TRUNCATE marker. */
  static boolean pending(Connection c, String logSql) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM " + logSql + " WHERE inflight_truncated)");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getBoolean(1);
    }
  }
}
