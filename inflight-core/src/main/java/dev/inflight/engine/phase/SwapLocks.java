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
 * <p>Then the live table, waiting at most the attempt's own timeout ({@link #liveWait}: 100 ms for
 * the first attempt, twice as long for each later one, never more than {@code lockTimeout}). Every
 * reader and writer that comes after the request queues behind it, so an attempt that cannot get
 * the lock at once gives up soon, and only attempts that keep failing wait as long as {@code
 * lockTimeout} allows, as pg_repack does. While it waits the swap holds nothing an application
 * transaction wants, so it can be in no deadlock cycle. The application's wait starts with this
 * request ({@link #blockedMillis}); the wait for the first table blocked nobody. Applications
 * usually touch the migrated table before the tables linked to it (an update of the parent, then an
 * insert into the history that references it, as in TPC-B), so taking it first also makes such
 * transactions finish ahead of the swap instead of waiting for it.
 *
 * <p>Last the tables whose foreign keys or views move with it. Every transaction that queues behind
 * the live table's lock now waits for the swap, so these locks share one short budget, a third of
 * {@code deadlock_timeout} in all and no more than the attempt's timeout: if a cycle forms (no
 * order avoids every one: a cascading delete locks the parent first, an insert into a child the
 * other way round), the swap's wait ends and it rolls back before any waiting application
 * transaction reaches {@code deadlock_timeout}, so the deadlock detector, which could pick the
 * application as its victim, never fires.
 */
final class SwapLocks {
  /** The first attempt's wait for the live table; each later attempt waits twice as long. */
  static final Duration FIRST_WAIT = Duration.ofMillis(100);

  /** The least lock_timeout worth setting; PostgreSQL reads 0 as no limit at all. */
  private static final long MIN_WAIT_MS = 5;

  /** Whether the live table's lock was requested, and when ({@link System#nanoTime}). */
  private boolean requested;

  private long liveRequested;

  /**
   * How long attempt {@code attempt} (0-based) waits for the live table's lock: {@link #FIRST_WAIT}
   * doubled once per earlier attempt, at most {@code lockTimeout}.
   */
  static Duration liveWait(int attempt, Duration lockTimeout) {
    long ms = FIRST_WAIT.toMillis() << Math.min(Math.max(attempt, 0), 20);
    return Duration.ofMillis(Math.min(lockTimeout.toMillis(), ms));
  }

  /**
   * Takes {@code ownTable}, then the live table with {@code main} (waiting at most {@code
   * liveWait}), then {@code others}; {@code lockTimeout} is the ceiling the spec allows.
   */
  void acquire(
      Connection c,
      String ownTable,
      List<String> others,
      String main,
      Duration lockTimeout,
      Duration liveWait)
      throws SQLException {
    long deadlockMs = deadlockTimeoutMillis(c);
    Tx.setLocal(c, "lock_timeout", Math.max(lockTimeout.toMillis(), 3 * deadlockMs) + "ms");
    Tx.execute(c, "LOCK TABLE " + ownTable + " IN ACCESS EXCLUSIVE MODE");
    Tx.setLocal(c, "lock_timeout", Math.max(MIN_WAIT_MS, liveWait.toMillis()) + "ms");
    liveRequested = System.nanoTime();
    requested = true;
    Tx.execute(c, main);
    long budgetMs = Math.min(liveWait.toMillis(), deadlockMs / 3);
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

  /** Whether the attempt got as far as requesting the live table's lock. */
  boolean liveRequested() {
    return requested;
  }

  /**
   * What the attempt has made the application wait so far: the time since the live table's lock was
   * requested, or 0 if it was not (yet).
   */
  long blockedMillis() {
    return !requested ? 0 : (System.nanoTime() - liveRequested) / 1_000_000;
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
