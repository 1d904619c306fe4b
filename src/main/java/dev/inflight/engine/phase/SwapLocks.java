package dev.inflight.engine.phase;

import dev.inflight.engine.sql.Tx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * Takes a swap's locks so that the application never loses a deadlock to it. The locks come in the
 * order applications take them (dependent views, then tables linked by foreign keys, then the
 * table), but no order avoids every cycle: a cascading delete locks the table before the
 * referencing one, an insert into the referencing table the other way round. So only the first
 * lock, taken while the swap holds nothing and can be in no cycle, waits the full lock timeout;
 * every later one waits at most half of PostgreSQL's {@code deadlock_timeout}. If a cycle forms,
 * the swap's wait ends first, it rolls back and retries later, and the application's statement goes
 * on; the deadlock detector, which could pick the application as its victim, never fires.
 */
final class SwapLocks {
  private SwapLocks() {}

  static void acquire(Connection c, List<String> first, String main, Duration lockTimeout)
      throws SQLException {
    if (first.isEmpty()) {
      Tx.execute(c, main);
      return;
    }
    Tx.execute(c, first.get(0));
    long shortMs = Math.max(10, Math.min(lockTimeout.toMillis(), deadlockTimeoutMillis(c) / 2));
    Tx.setLocal(c, "lock_timeout", shortMs + "ms");
    for (String lock : first.subList(1, first.size())) {
      Tx.execute(c, lock);
    }
    Tx.execute(c, main);
  }

  private static long deadlockTimeoutMillis(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT setting::bigint FROM pg_settings WHERE name = 'deadlock_timeout'");
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 1000;
    }
  }
}
