package dev.inflight.engine.phase;

import dev.inflight.engine.StepResult;
import dev.inflight.engine.plan.Direction;
import dev.inflight.engine.plan.Swap;
import dev.inflight.engine.sql.Errors;
import dev.inflight.engine.sql.Tx;
import dev.inflight.engine.sync.KeyRange;
import dev.inflight.engine.sync.LockProbe;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One swap attempt, the same code in both directions: give up before queueing when a long or idle
 * transaction would make the swap wait; otherwise, in one transaction bounded by {@code
 * lockTimeout}, take the locks in deadlock-free order ({@link SwapLocks}), check what must hold
 * under them ({@link SwapGuards}), replay the rest of the log into the table about to go live, run
 * the swap's statements and let the direction record its result. A lock timeout, more log than the
 * drain bound allows, or dependents that changed since the swap was planned ({@link SwapReplan})
 * roll everything back: nothing is swapped, and the direction records a failed attempt for its
 * retry.
 */
final class Swapping {
  /** What the cut-over and the rollback do differently around the common attempt. */
  interface Side {
    Direction direction();

    /** Under the lock, after the swap's statements: the direction's last statements and record. */
    void finish(Connection c, StepContext ctx, long blockedMs) throws SQLException;

    /**
     * After the commit, which released the lock: the wait, now including the commit, of which
     * {@code uncountedMs} came after {@link #finish} recorded it.
     */
    StepResult done(StepContext ctx, long blockedMs, long uncountedMs) throws SQLException;

    /**
     * How many attempts this swap has made so far (0 before the first), from the ledger's record of
     * its attempts; it sets how long the next one waits for the live table ({@link
     * SwapLocks#liveWait}).
     */
    int attemptsSoFar(StepContext ctx) throws SQLException;

    /** An attempt given up, nothing swapped: records it and says when to try again. */
    StepResult failed(StepContext ctx, String why, List<String> pids, long blockedMs)
        throws SQLException;
  }

  private Swapping() {}

  static StepResult attempt(StepContext ctx, Side side) throws SQLException {
    Direction direction = side.direction();
    boolean reverse = direction == Direction.BACK;
    // The table only the migration uses: the shadow going live, or the original coming back.
    String own = reverse ? ctx.archivedSql() : ctx.shadowSql();
    Duration lockTimeout = ctx.lockTimeout();
    List<String> blockers =
        new ArrayList<>(
            LockProbe.blockers(ctx.conn(), ctx.swapTables(own), List.of(own), lockTimeout));
    blockers.addAll(LockProbe.snapshotHolders(ctx.conn()));
    if (!blockers.isEmpty()) {
      return side.failed(
          ctx, "blocked by " + String.join("; ", blockers), LockProbe.pids(blockers), 0);
    }
    Swap swap = ctx.plan().swap(direction);
    KeyRange range = reverse ? null : KeyRange.complete(ctx.record().backfillHigh());
    Duration liveWait = SwapLocks.liveWait(side.attemptsSoFar(ctx), lockTimeout);
    // The application waits from the live table's lock request on, not while the swap waits for
    // the table only the migration uses.
    SwapLocks locks = new SwapLocks();
    long[] recorded = {0};
    try {
      ctx.tx(
          c -> {
            // If this process stalls while holding the lock, the server ends the session.
            Tx.setLocal(
                c,
                "idle_in_transaction_session_timeout",
                Math.max(10_000, lockTimeout.toMillis() * 5) + "ms");
            locks.acquire(c, own, ctx.plan().locksFirst(), swap.lock(), lockTimeout, liveWait);
            SwapGuards.check(c, ctx, reverse);
            Replays.all(
                c,
                ctx.plan().replayBatch(direction),
                ctx.plan().replayAll(direction),
                ctx.settings().replayBatch(),
                range,
                ctx.plan().key().size(),
                ctx.logsTruncations() ? ctx.logSql(reverse) : null,
                own,
                ctx.truncatedPartitions(reverse));
            SwapGuards.checkShape(c, ctx, direction);
            for (String sql : swap.statements()) {
              Tx.execute(c, sql);
            }
            recorded[0] = locks.blockedMillis();
            side.finish(c, ctx, recorded[0]);
            return null;
          });
    } catch (DependentsCheck.Changed e) {
      String why = SwapReplan.run(ctx, e.changes());
      return side.failed(ctx, why, List.of(), locks.blockedMillis());
    } catch (DrainBound.Exceeded e) {
      return side.failed(
          ctx, e.getMessage() + "; catching up outside the lock", List.of(), locks.blockedMillis());
    } catch (SQLException e) {
      if (Errors.lockTimeout(e)) {
        String why =
            locks.liveRequested()
                ? "lock not granted within " + liveWait.toMillis() + "ms"
                : "lock on " + own + " not granted (it blocked nobody)";
        return side.failed(ctx, why, List.of(), locks.blockedMillis());
      }
      throw e;
    }
    long blocked = locks.blockedMillis();
    return side.done(ctx, blocked, Math.max(0, blocked - recorded[0]));
  }

  /** What the application waited: the winning attempt, and every attempt together. */
  static String waited(String what, int attempts, long lastMs, long totalMs) {
    String out = what + "; writes waited " + lastMs + "ms in the attempt that swapped";
    return attempts <= 1 ? out : out + ", " + totalMs + "ms over all " + attempts + " attempts";
  }
}
