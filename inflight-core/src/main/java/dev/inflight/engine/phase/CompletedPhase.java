package dev.inflight.engine.phase;

import dev.inflight.engine.EngineException;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.StepResult.WaitReason;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.engine.sql.Errors;
import dev.inflight.engine.sql.Tx;
import dev.inflight.engine.sync.LockProbe;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * Completed. Pre: the new table is live under the original name. Advance: replays the reverse log
 * into the archived table so a rollback stays lossless and quick; a row that cannot be carried back
 * (say a NULL where the old table forbids it) makes rollback unavailable, with the reason, until it
 * can; once {@code rollback.retainFor} has passed (or with a retention of 0), finalizes. Rollback:
 * catches up on the reverse log and starts RollingBack, or says why rollback is unavailable.
 */
final class CompletedPhase implements PhaseStep.AfterCutover {
  private static final String FINALIZE = "finalize";

  @Override
  public MigrationPhase phase() {
    return MigrationPhase.Completed;
  }

  @Override
  public Observation observe(StepContext ctx) throws SQLException {
    if (!ctx.plan().rollbackRetained()) {
      return Observation.NONE;
    }
    return new Observation(Tx.queryLong(ctx.conn(), ctx.plan().reverseLogBacklog()));
  }

  @Override
  public StepResult advance(StepContext ctx) throws SQLException {
    PostSwap.validate(ctx, false);
    CatalogCheck.record(ctx, false);
    MigrationRecord m = ctx.record();
    if (!ctx.plan().rollbackRetained()
        || (m.rollbackUntil() != null && !ctx.now().isBefore(m.rollbackUntil()))) {
      return finalizeNow(ctx);
    }
    String error = reverseReplay(ctx);
    if (error != null) {
      return new StepResult.Done(phase(), "completed; rollback unavailable: " + error);
    }
    return new StepResult.Done(phase(), "completed; rollback available until " + m.rollbackUntil());
  }

  /** Replays the reverse log; returns why rollback is unavailable, or null. */
  static String reverseReplay(StepContext ctx) throws SQLException {
    MigrationRecord m = ctx.record();
    try {
      Replays.reverse(ctx);
    } catch (SQLException | EngineException e) {
      boolean retryable =
          e instanceof SQLException s ? Errors.retryable(s) : ((EngineException) e).retryable();
      if (retryable) {
        throw e;
      }
      String why =
          "a row written after cut-over cannot be copied back: "
              + Errors.firstLine(String.valueOf(e.getMessage()));
      ctx.ledger().update(m.id()).set("rollback_error = ?", why).execute(ctx.conn(), ctx.now());
      ctx.reload();
      return why;
    }
    if (m.rollbackError() != null) {
      ctx.ledger().update(m.id()).set("rollback_error = NULL").execute(ctx.conn(), ctx.now());
      ctx.reload();
    }
    return null;
  }

  /**
   * Drops the archived table and the reverse capture; the migration becomes Finalized. A lock not
   * taken is retried up to the attempt limit ({@link LockRetries}); given up, the migration stays
   * Completed with rollback still available.
   */
  static StepResult finalizeNow(StepContext ctx) throws SQLException {
    // Finalize may come straight after the swap: what Completed owes first is owed here too.
    PostSwap.validate(ctx, false);
    CatalogCheck.record(ctx, false);
    List<String> blockers =
        ctx.plan().rollbackRetained()
            ? LockProbe.blockers(ctx.conn(), List.of(ctx.tableSql()), ctx.lockTimeout())
            : List.of();
    if (!blockers.isEmpty()) {
      return LockRetries.failed(
          ctx, FINALIZE, "dropping the reverse capture waits for " + String.join("; ", blockers));
    }
    try {
      ctx.tx(
          c -> {
            for (String sql : ctx.plan().finalizeStatements()) {
              Tx.execute(c, sql);
            }
            ctx.ledger()
                .update(ctx.record().id())
                .phase(ctx.record(), MigrationPhase.Finalized, ctx.now())
                .execute(c, ctx.now());
            ctx.ledger()
                .recordHistory(
                    c, ctx.reload(), MigrationPhase.Finalized.name(), ctx.changesJson(), ctx.now());
            return null;
          });
    } catch (SQLException e) {
      if (Errors.lockTimeout(e)) {
        return LockRetries.failed(
            ctx,
            FINALIZE,
            "finalizing did not get its lock within " + ctx.lockTimeout().toMillis() + "ms");
      }
      throw e;
    }
    return new StepResult.Done(
        MigrationPhase.Finalized, "finalized; the archived table is dropped");
  }

  @Override
  public StepResult rollback(StepContext ctx) throws SQLException {
    MigrationRecord m = ctx.record();
    if (!ctx.plan().rollbackRetained()) {
      return unavailable("rollback was disabled with rollback.retainFor: 0");
    }
    if (m.rollbackUntil() != null && !ctx.now().isBefore(m.rollbackUntil())) {
      return unavailable("the retention period ended at " + m.rollbackUntil());
    }
    String error = reverseReplay(ctx);
    if (error != null) {
      return unavailable(error);
    }
    ctx.transition(MigrationPhase.RollingBack);
    return new StepResult.Progress(MigrationPhase.RollingBack, "rolling back");
  }

  private static StepResult unavailable(String why) {
    return new StepResult.Waiting(
        MigrationPhase.Completed, WaitReason.RollbackUnavailable, Duration.ofSeconds(10), why);
  }
}
