package dev.inflight.engine.phase;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * What the copy left in the change log: every change made while the rows were copied, none of it
 * replayed yet (the shadow had no key). The log's last entry when Syncing first looks is recorded
 * in the ledger; the secondary indexes wait until every entry up to it is replayed, however many
 * steps that takes, while entries logged later are replayed as they come, as they would be at any
 * other time.
 */
final class ReplayHorizon {
  private ReplayHorizon() {}

  /** Entries up to the horizon still in the log (recording the horizon the first time). */
  static long left(StepContext ctx) throws SQLException {
    String log = ctx.logSql(false);
    long horizon;
    try (PreparedStatement ps =
        ctx.conn()
            .prepareStatement(
                "UPDATE inflight.migrations SET replay_horizon = coalesce(replay_horizon,"
                    + " (SELECT coalesce(max(inflight_seq), 0) FROM "
                    + log
                    + ")) WHERE id = ? RETURNING replay_horizon")) {
      ps.setLong(1, ctx.record().id());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        horizon = rs.getLong(1);
      }
    }
    try (PreparedStatement ps =
        ctx.conn().prepareStatement("SELECT count(*) FROM " + log + " WHERE inflight_seq <= ?")) {
      ps.setLong(1, horizon);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
