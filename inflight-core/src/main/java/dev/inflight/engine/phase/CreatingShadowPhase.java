package dev.inflight.engine.phase;

import dev.inflight.engine.EngineException;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.StepResult.WaitReason;
import dev.inflight.engine.catalog.CatalogReader;
import dev.inflight.engine.catalog.TableRef;
import dev.inflight.engine.plan.Names;
import dev.inflight.engine.sql.Errors;
import dev.inflight.engine.sql.Tx;
import dev.inflight.engine.sync.CaptureStamp;
import dev.inflight.engine.sync.LockProbe;
import dev.inflight.engine.sync.RowMover;
import java.sql.SQLException;
import java.util.List;

/**
 * CreatingShadow. Pre: an accepted plan. Advance: in one transaction, creates the shadow table in
 * its final shape without indexes (a plan stored before the copy in ranges: with its primary key),
 * the change log, the capture function and triggers, and records the largest key (the copy's end;
 * later keys reach the shadow through replay). The triggers take a lock that waits for writers, so
 * long transactions on the table are waited out first and the lock is bounded by {@code
 * lockTimeout}. Post: Backfilling, or nothing at all if interrupted. Cancel: nothing is committed
 * yet, so it only records the outcome.
 */
final class CreatingShadowPhase implements PhaseStep.BeforeCutover {
  @Override
  public MigrationPhase phase() {
    return MigrationPhase.CreatingShadow;
  }

  @Override
  public Observation observe(StepContext ctx) {
    return Observation.NONE;
  }

  @Override
  public StepResult advance(StepContext ctx) throws SQLException {
    CatalogReader catalog = new CatalogReader(ctx.conn());
    TableRef ref = catalog.resolve(ctx.tableSql());
    if (!catalog.fingerprint(ref.oid()).equals(ctx.plan().fingerprint())) {
      ctx.transition(MigrationPhase.Planning);
      return new StepResult.Progress(
          MigrationPhase.Planning, "the table changed since planning; planning again");
    }
    List<String> blockers = LockProbe.blockers(ctx.conn(), ctx.relationsSql(), ctx.lockTimeout());
    if (!blockers.isEmpty()) {
      return lockNotTaken(ctx, "waits for " + String.join("; ", blockers));
    }
    try {
      ctx.tx(
          c -> {
            for (String sql : ctx.plan().createShadow()) {
              Tx.execute(c, sql);
            }
            for (String sql : ctx.plan().createCapture()) {
              Tx.execute(c, sql);
            }
            List<String> high = RowMover.maxKey(c, ctx.plan().maxKey());
            String stamp =
                CaptureStamp.read(
                    c, ctx.relationsSql(), Names.captureTrigger(""), ctx.captureFunctionSql(false));
            ctx.ledger()
                .update(ctx.record().id())
                .set("capture_stamp = ?", stamp)
                .set("dependents = ?", DependentsCheck.read(c, ctx.tableSql()))
                .set("backfill_high = ?", high)
                .set("backfill_done = ?", high == null)
                .set("batch_size = ?", ctx.spec().backfill().batchSize())
                .set("rows_estimated = ?", ctx.plan().estimatedRows())
                .phase(ctx.record(), MigrationPhase.Backfilling, ctx.now())
                .execute(c, ctx.now());
            return null;
          });
    } catch (SQLException e) {
      if (Errors.lockTimeout(e)) {
        return lockNotTaken(
            ctx, "did not get its lock within " + ctx.lockTimeout().toMillis() + "ms");
      }
      throw e;
    }
    ctx.reload();
    return new StepResult.Progress(
        MigrationPhase.Backfilling, "shadow table and change capture created");
  }

  /**
   * One more attempt failed: wait with a growing, jittered backoff (so writers queue behind the
   * trigger's lock only a small fraction of the time), and give up after {@code maxAttempts} with
   * nothing changed.
   */
  private StepResult lockNotTaken(StepContext ctx, String why) throws SQLException {
    int attempts = ctx.ledger().recordLockAttempt(ctx.conn(), ctx.record().id());
    int max = ctx.spec().cutover().maxAttempts();
    if (attempts >= max) {
      throw EngineException.permanent(
          "installing change capture failed in "
              + attempts
              + " attempts (last: "
              + why
              + "); nothing was changed");
    }
    return new StepResult.Waiting(
        phase(),
        WaitReason.LockContention,
        ctx.backoff().delay(attempts),
        "installing change capture (attempt " + attempts + "/" + max + ") " + why);
  }

  @Override
  public StepResult cancel(StepContext ctx) throws SQLException {
    return Cleanup.toPhase(ctx, MigrationPhase.Cancelled);
  }
}
