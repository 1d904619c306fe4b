package dev.inflight.engine.phase;

import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.sql.Errors;
import dev.inflight.engine.sql.Tx;
import dev.inflight.engine.sync.LockProbe;
import java.sql.SQLException;
import java.util.List;

/**
 * Undoes everything a migration built before cut-over: the capture triggers, the change log, the
 * shadow table. The original table is never written; only its triggers are dropped, under a bounded
 * lock, retried with a growing backoff up to the attempt limit ({@link LockRetries}); a cancel
 * given up leaves the migration as it was. Used by Cancel and by a failure before cut-over.
 */
final class Cleanup {
  private Cleanup() {}

  /** Cleans up and moves to {@code target} (Cancelled or Failed). */
  static StepResult toPhase(StepContext ctx, MigrationPhase target) throws SQLException {
    boolean built = ctx.record().phase().ordinal() > MigrationPhase.CreatingShadow.ordinal();
    if (built) {
      List<String> blockers =
          LockProbe.blockers(ctx.conn(), List.of(ctx.tableSql()), ctx.lockTimeout());
      if (!blockers.isEmpty()) {
        return lockNotTaken(
            ctx, target, "dropping the capture triggers waits for " + String.join("; ", blockers));
      }
    }
    try {
      ctx.tx(
          c -> {
            if (built) {
              for (String sql : ctx.plan().cancel()) {
                Tx.execute(c, sql);
              }
            }
            ctx.ledger()
                .update(ctx.record().id())
                .phase(ctx.record(), target, ctx.now())
                .execute(c, ctx.now());
            ctx.ledger()
                .recordHistory(c, ctx.reload(), target.name(), ctx.changesJson(), ctx.now());
            return null;
          });
    } catch (SQLException e) {
      if (Errors.lockTimeout(e)) {
        return lockNotTaken(
            ctx,
            target,
            "dropping the capture triggers did not get its lock within "
                + ctx.lockTimeout().toMillis()
                + "ms");
      }
      throw e;
    }
    ctx.reload();
    return target == MigrationPhase.Failed
        ? new StepResult.Failed(target, ctx.record().failure())
        : new StepResult.Done(target, "cancelled; " + ctx.record().table() + " is untouched");
  }

  /** An attempt that did not get the lock, within the attempt limit ({@link LockRetries}). */
  private static StepResult lockNotTaken(StepContext ctx, MigrationPhase target, String why)
      throws SQLException {
    return LockRetries.failed(
        ctx, target == MigrationPhase.Cancelled ? "cancel" : "clean-up after the failure", why);
  }
}
