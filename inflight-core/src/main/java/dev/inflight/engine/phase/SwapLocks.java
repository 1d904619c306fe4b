package dev.inflight.engine.phase;

import dev.inflight.engine.sql.Tx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * Takes a swap's locks so that the application never loses a deadlock to it.
 *
 * <p>First comes the table only the migration uses (the shadow at cut-over, the archived table at
 * rollback). Autovacuum likes a freshly copied table, and PostgreSQL cancels an autovacuum only
 * after someone has waited {@code deadlock_timeout} for it; taken together with the live table,
 * that wait would stop the application for a second. Taken alone, while the swap holds nothing the
 * application wants, it stops nobody, so it may wait long enough for the cancel.
 *
 * <p>Then the live table, waiting at most {@code lockTimeout}: while it waits the swap holds
 * nothing an application transaction wants, so it can be in no deadlock cycle. Applications usually
 * touch the migrated table before the tables linked to it (an update of the parent, then an insert
 * into the history that references it, as in TPC-B), so taking it first also makes such
 * transactions finish ahead of the swap instead of waiting for it.
 *
 * <p>Last the tables whose foreign keys or views move with it. Every transaction that queues behind
 * the live table's lock now waits for the swap, so these locks share one short budget, a third of
 * {@code deadlock_timeout} in all: if a cycle forms (no order avoids every one: a cascading delete
 * locks the parent first, an insert into a child the other way round), the swap's wait ends and it
 * rolls back before any waiting application transaction reaches {@code deadlock_timeout}, so the
 * deadlock detector, which could pick the application as its victim, never fires.
 */
final class SwapLocks {
  /** The least lock_timeout worth setting; PostgreSQL reads 0 as no limit at all. */
  private static final long MIN_WAIT_MS = 5;

  private SwapLocks() {}

  static void acquire(
      Connection c, String ownTable, List<String> others, String main, Duration lockTimeout)
      throws SQLException {
    long deadlockMs = deadlockTimeoutMillis(c);
    Tx.setLocal(c, "lock_timeout", Math.max(lockTimeout.toMillis(), 3 * deadlockMs) + "ms");
    Tx.execute(c, "LOCK TABLE " + ownTable + " IN ACCESS EXCLUSIVE MODE");
    Tx.setLocal(c, "lock_timeout", lockTimeout.toMillis() + "ms");
    Tx.execute(c, main);
    long budgetMs = Math.min(lockTimeout.toMillis(), deadlockMs / 3);
    long deadline = System.nanoTime() + budgetMs * 1_000_000;
    for (String lock : others) {
      long leftMs = (deadline - System.nanoTime()) / 1_000_000;
      if (leftMs < MIN_WAIT_MS) {
        throw new SQLException(
            "the linked tables' locks were not granted within " + budgetMs + "ms", "55P03");
      }
      Tx.setLocal(c, "lock_timeout", leftMs + "ms");
      Tx.execute(c, lock);
    }
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
