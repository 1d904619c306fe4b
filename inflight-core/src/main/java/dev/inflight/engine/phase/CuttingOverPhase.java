package dev.inflight.engine.phase;

import dev.inflight.api.Durations;
import dev.inflight.engine.EngineException;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.StepResult.WaitReason;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.engine.plan.Direction;
import dev.inflight.engine.plan.Names;
import dev.inflight.engine.sql.Tx;
import dev.inflight.engine.sync.CaptureStamp;
import dev.inflight.engine.sync.KeyRange;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * CuttingOver. Pre: in sync and verified. Advance: catches up on the log, then makes one {@link
 * Swapping} attempt forward: if a long or idle transaction holds a lock on either table, reports it
 * and waits instead of queueing (a queued exclusive lock would block every reader behind it);
 * otherwise, in one transaction whose wait for the live table grows from 100 ms per attempt up to
 * {@code lockTimeout}: lock both tables, replay the rest of the log, check the original table's
 * shape is still the planned one, rename original to archived and shadow to live with every index
 * name, hand over sequences, install the reverse capture and record Completed. A lock timeout rolls
 * everything back and is retried with jittered backoff up to {@code maxAttempts}. Post: Completed,
 * or nothing changed. Cancel: drops the shadow, the log and the capture triggers (nothing is
 * swapped until the commit).
 */
final class CuttingOverPhase implements PhaseStep.BeforeCutover {
  @Override
  public MigrationPhase phase() {
    return MigrationPhase.CuttingOver;
  }

  @Override
  public Observation observe(StepContext ctx) throws SQLException {
    return new Observation(Tx.queryLong(ctx.conn(), ctx.plan().logBacklog()));
  }

  @Override
  public StepResult advance(StepContext ctx) throws SQLException {
    MigrationRecord m = ctx.record();
    int maxAttempts = ctx.spec().cutover().maxAttempts();
    if (m.cutoverAttempts() >= maxAttempts) {
      throw EngineException.permanent(
          "cut-over did not get its lock in "
              + m.cutoverAttempts()
              + " attempts (last: "
              + m.cutoverLastError()
              + "); the original table is unchanged");
    }
    KeyRange all = KeyRange.complete(m.backfillHigh());
    Replays.forward(ctx, all);
    long backlog = Tx.queryLong(ctx.conn(), ctx.plan().logBacklog());
    if (backlog > ctx.settings().cutoverBacklog()) {
      return new StepResult.Progress(
          phase(), "catching up before cut-over: " + backlog + " changed keys");
    }
    return Swapping.attempt(ctx, new Forward());
  }

  /** The cut-over's side of the swap: the reverse capture, the ledger's Completed record. */
  private static final class Forward implements Swapping.Side {
    @Override
    public Direction direction() {
      return Direction.FORWARD;
    }

    @Override
    public void finish(Connection c, StepContext ctx, long blockedMs) throws SQLException {
      MigrationRecord m = ctx.record();
      for (String sql : ctx.plan().reverseCapture()) {
        Tx.execute(c, sql);
      }
      String reverseStamp =
          ctx.plan().reverseCapture().isEmpty()
              ? null
              : CaptureStamp.read(
                  c, ctx.relationsSql(), Names.reverseTrigger(""), ctx.captureFunctionSql(true));
      Instant now = ctx.now();
      Duration retain = Durations.parse("retainFor", ctx.storedSpec().rollback().retainFor());
      ctx.ledger()
          .update(m.id())
          .set("cutover_attempts = cutover_attempts + 1")
          .set("reverse_capture_stamp = ?", reverseStamp)
          .set("reverse_dependents = ?", DependentsCheck.read(c, ctx.tableSql()))
          .set("cutover_at = ?", now)
          .set("rollback_until = ?", retain.isZero() ? null : now.plus(retain))
          .set("writes_blocked_ms = greatest(writes_blocked_ms, ?)", blockedMs)
          .set("writes_blocked_total_ms = writes_blocked_total_ms + ?", blockedMs)
          .set("cutover_blocked_by = '{}'")
          .set("post_swap_pending = ?", !ctx.plan().validateAfterSwap().isEmpty())
          .set("catalog_check = NULL")
          .phase(m, MigrationPhase.Completed, now)
          .execute(c, now);
      ctx.ledger()
          .recordHistory(c, ctx.reload(), MigrationPhase.Completed.name(), ctx.changesJson(), now);
    }

    @Override
    public StepResult done(StepContext ctx, long blocked, long uncounted) throws SQLException {
      // Recorded twice on purpose: inside the swap (so a crash right after the commit keeps a
      // value) and here, where the time includes the commit that released the lock.
      ctx.ledger()
          .update(ctx.record().id())
          .set("writes_blocked_ms = greatest(writes_blocked_ms, ?)", blocked)
          .set("writes_blocked_total_ms = writes_blocked_total_ms + ?", uncounted)
          .execute(ctx.conn(), ctx.now());
      MigrationRecord m = ctx.reload();
      return new StepResult.Progress(
          MigrationPhase.Completed,
          Swapping.waited("cut over", m.cutoverAttempts(), blocked, m.writesBlockedTotalMillis()));
    }

    @Override
    public int attemptsSoFar(StepContext ctx) {
      return ctx.record().cutoverAttempts();
    }

    @Override
    public StepResult failed(StepContext ctx, String why, List<String> pids, long blockedMs)
        throws SQLException {
      return attemptFailed(ctx, why, pids, blockedMs);
    }
  }

  private static StepResult attemptFailed(
      StepContext ctx, String why, List<String> pids, long blockedMs) throws SQLException {
    MigrationRecord m = ctx.record();
    ctx.ledger()
        .update(m.id())
        .set("cutover_attempts = cutover_attempts + 1")
        .set("cutover_last_error = ?", why)
        .set("cutover_blocked_by = ?", pids)
        .set("writes_blocked_ms = greatest(writes_blocked_ms, ?)", blockedMs)
        .set("writes_blocked_total_ms = writes_blocked_total_ms + ?", blockedMs)
        .execute(ctx.conn(), ctx.now());
    ctx.reload();
    return new StepResult.Waiting(
        MigrationPhase.CuttingOver,
        WaitReason.LockContention,
        ctx.backoff().delay(m.cutoverAttempts()),
        "cut-over attempt "
            + (m.cutoverAttempts() + 1)
            + "/"
            + ctx.spec().cutover().maxAttempts()
            + ": "
            + why);
  }

  @Override
  public StepResult cancel(StepContext ctx) throws SQLException {
    return Cleanup.toPhase(ctx, MigrationPhase.Cancelled);
  }
}
