package dev.inflight.engine.phase;

import dev.inflight.engine.sql.Tx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * An application's TRUNCATE, as the capture logs it: a marker row. Replay stops in front of the
 * marker; here the engine, in its own transaction, empties the target and drops every entry up to
 * the marker (they describe rows the TRUNCATE removed). Entries after it are rows written since,
 * and replay then carries on with them. The TRUNCATE holds its table exclusively, so every entry
 * logged before the marker committed before it, and every entry after it committed later.
 */
final class Truncations {
  private Truncations() {}

  /** Applies the first TRUNCATE marker of {@code logSql} to {@code targetSql}; false if none. */
  static boolean apply(Connection c, String logSql, String targetSql) throws SQLException {
    Long marker;
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT min(inflight_seq) FROM " + logSql + " WHERE inflight_truncated");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      marker = (Long) rs.getObject(1);
    }
    if (marker == null) {
      return false;
    }
    Tx.execute(c, "TRUNCATE TABLE " + targetSql);
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM " + logSql + " WHERE inflight_seq <= ?")) {
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
