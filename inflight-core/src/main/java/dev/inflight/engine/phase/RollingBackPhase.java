package dev.inflight.engine.phase;

import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.StepResult.WaitReason;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.engine.plan.Direction;
import dev.inflight.engine.sql.Tx;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * RollingBack. Pre: Completed with the reverse log replayable. Advance: catches up on the reverse
 * log, then makes one {@link Swapping} attempt backwards, in one transaction bounded by {@code
 * lockTimeout}: lock both tables, replay the rest, give the original table back its name, index
 * names and sequences, and drop the new table. No write made after cut-over is lost: each is in the
 * archived table before the swap commits. Attempts are limited as the cut-over's are; a rollback
 * given up returns to Completed. Post: RolledBack, or nothing changed. A rollback in progress is
 * not undone by another action; {@link #rollback} continues it.
 */
final class RollingBackPhase implements PhaseStep.AfterCutover {
  @Override
  public MigrationPhase phase() {
    return MigrationPhase.RollingBack;
  }

  @Override
  public Observation observe(StepContext ctx) throws SQLException {
    return new Observation(Tx.queryLong(ctx.conn(), ctx.plan().reverseLogBacklog()));
  }

  @Override
  public StepResult advance(StepContext ctx) throws SQLException {
    String error = CompletedPhase.reverseReplay(ctx);
    if (error != null) {
      ctx.transition(MigrationPhase.Completed);
      return new StepResult.Waiting(
          MigrationPhase.Completed, WaitReason.RollbackUnavailable, Duration.ofSeconds(10), error);
    }
    long backlog = Tx.queryLong(ctx.conn(), ctx.plan().reverseLogBacklog());
    if (backlog > ctx.settings().cutoverBacklog()) {
      return new StepResult.Progress(
          phase(), "catching up before the swap back: " + backlog + " changed keys");
    }
    return Swapping.attempt(ctx, new Back());
  }

  /** The rollback's side of the swap: the ledger's RolledBack record and the validations. */
  private static final class Back implements Swapping.Side {
    @Override
    public Direction direction() {
      return Direction.BACK;
    }

    @Override
    public void finish(Connection c, StepContext ctx, long blocked) throws SQLException {
      MigrationRecord m = ctx.record();
      ctx.ledger()
          .update(m.id())
          .set("rollback_attempts = rollback_attempts + 1")
          .set("rollback_blocked_ms = greatest(rollback_blocked_ms, ?)", blocked)
          .set("rollback_blocked_total_ms = rollback_blocked_total_ms + ?", blocked)
          .set("post_swap_pending = ?", !ctx.plan().validateAfterRollback().isEmpty())
          .set("catalog_check = NULL")
          .phase(m, MigrationPhase.RolledBack, ctx.now())
          .execute(c, ctx.now());
      ctx.ledger()
          .recordHistory(
              c, ctx.reload(), MigrationPhase.RolledBack.name(), ctx.changesJson(), ctx.now());
    }

    @Override
    public StepResult done(StepContext ctx, long blocked, long uncounted) throws SQLException {
      // As at cut-over: the value committed with the swap, then raised by the commit's own time.
      ctx.ledger()
          .update(ctx.record().id())
          .set("rollback_blocked_ms = greatest(rollback_blocked_ms, ?)", blocked)
          .set("rollback_blocked_total_ms = rollback_blocked_total_ms + ?", uncounted)
          .execute(ctx.conn(), ctx.now());
      MigrationRecord m = ctx.reload();
      PostSwap.validate(ctx, true);
      CatalogCheck.record(ctx, true);
      return new StepResult.Done(
          MigrationPhase.RolledBack,
          Swapping.waited(
              "rolled back", m.rollbackAttempts(), blocked, m.rollbackBlockedTotalMillis()));
    }

    /** This rollback's attempts: counted anew each time a rollback starts from Completed. */
    @Override
    public int attemptsSoFar(StepContext ctx) throws SQLException {
      return ctx.ledger().lockAttempts(ctx.conn(), ctx.record().id());
    }

    @Override
    public StepResult failed(StepContext ctx, String why, List<String> pids, long blockedMs)
        throws SQLException {
      return attemptFailed(ctx, why, blockedMs);
    }
  }

  /**
   * An attempt given up: retried with a growing backoff; after {@code cutover.maxAttempts} the
   * rollback gives up and the migration is Completed again, rollback still available, so it can be
   * asked for again once the blocker is gone.
   */
  private static StepResult attemptFailed(StepContext ctx, String why, long blockedMs)
      throws SQLException {
    MigrationRecord m = ctx.record();
    ctx.ledger()
        .update(m.id())
        .set("rollback_attempts = rollback_attempts + 1")
        .set("rollback_blocked_ms = greatest(rollback_blocked_ms, ?)", blockedMs)
        .set("rollback_blocked_total_ms = rollback_blocked_total_ms + ?", blockedMs)
        .set("last_error = ?", "rollback: " + why)
        .execute(ctx.conn(), ctx.now());
    int attempts = ctx.ledger().recordLockAttempt(ctx.conn(), m.id());
    int max = ctx.spec().cutover().maxAttempts();
    ctx.reload();
    if (attempts >= max) {
      ctx.transition(MigrationPhase.Completed);
      return LockRetries.gaveUp(ctx, "rollback", attempts, why);
    }
    return new StepResult.Waiting(
        MigrationPhase.RollingBack,
        WaitReason.LockContention,
        ctx.backoff().delay(attempts),
        "rollback attempt " + attempts + "/" + max + ": " + why);
  }

  @Override
  public StepResult rollback(StepContext ctx) throws SQLException {
    return advance(ctx);
  }
}
