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
 *
 * <p>Before all of them comes the table only the migration uses (the shadow at cut-over, the
 * archived table at rollback). Autovacuum likes a freshly copied table, and PostgreSQL cancels an
 * autovacuum only after someone has waited {@code deadlock_timeout} for it; taken together with the
 * live table, that wait would stop the application for a second. Taken alone, while the swap holds
 * nothing the application wants, it stops nobody, so it may wait long enough for the cancel.
 */
final class SwapLocks {
  private SwapLocks() {}

  static void acquire(
      Connection c, String ownTable, List<String> first, String main, Duration lockTimeout)
      throws SQLException {
    long deadlockMs = deadlockTimeoutMillis(c);
    Tx.setLocal(c, "lock_timeout", Math.max(lockTimeout.toMillis(), 3 * deadlockMs) + "ms");
    Tx.execute(c, "LOCK TABLE " + ownTable + " IN ACCESS EXCLUSIVE MODE");
    Tx.setLocal(c, "lock_timeout", lockTimeout.toMillis() + "ms");
    if (first.isEmpty()) {
      Tx.execute(c, main);
      return;
    }
    Tx.execute(c, first.get(0));
    long shortMs = Math.max(10, Math.min(lockTimeout.toMillis(), deadlockMs / 2));
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
