package dev.inflight.engine.phase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The bound on what a swap replays while it holds its lock. The backlog is caught up outside the
 * lock until it is below {@code EngineSettings.cutoverBacklog}; but a bulk write that commits while
 * the swap waits for its lock arrives after that check. Replaying it under the lock would make
 * every reader and writer wait for the whole replay, so the swap counts the log first and gives the
 * attempt up when it holds more than the bound: writes then wait at most the lock timeout plus the
 * replay of {@code cutoverBacklog} keys per attempt.
 */
final class DrainBound {
  /** Thrown inside the swap's transaction, which it rolls back. */
  static final class Exceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Exceeded(long keys) {
      super(keys + " changed keys arrived while the swap waited for its lock");
    }
  }

  private DrainBound() {}

  /** Fails with {@link Exceeded} when {@code logSql} holds more than {@code bound} entries. */
  static void require(Connection c, String logSql, int bound) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT count(*) FROM (SELECT 1 FROM " + logSql + " LIMIT ?) AS b")) {
      ps.setInt(1, bound + 1);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long keys = rs.getLong(1);
        if (keys > bound) {
          throw new Exceeded(keys);
        }
      }
    }
  }
}
