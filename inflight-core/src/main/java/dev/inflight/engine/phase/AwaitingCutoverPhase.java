package dev.inflight.engine.phase;

import dev.inflight.api.MigrationSpec;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.StepResult.WaitReason;
import dev.inflight.engine.sql.Tx;
import dev.inflight.engine.sync.KeyRange;
import java.sql.SQLException;
import java.time.Duration;

/**
 * AwaitingCutover (manual mode). Pre: in sync and verified. Advance: keeps replaying so the shadow
 * stays current, and moves to CuttingOver when {@code control.cutover} is Proceed. Cancel: drops
 * the shadow, the log and the capture triggers.
 */
final class AwaitingCutoverPhase implements PhaseStep.BeforeCutover {
  @Override
  public MigrationPhase phase() {
    return MigrationPhase.AwaitingCutover;
  }

  @Override
  public Observation observe(StepContext ctx) throws SQLException {
    return new Observation(Tx.queryLong(ctx.conn(), ctx.plan().logBacklog()));
  }

  @Override
  public StepResult advance(StepContext ctx) throws SQLException {
    Replays.forward(ctx, KeyRange.complete(ctx.record().backfillHigh()));
    if (ctx.spec().control().cutover() == MigrationSpec.CutoverControl.Proceed
        || ctx.spec().cutover().mode() == MigrationSpec.CutoverMode.Automatic) {
      ctx.transition(MigrationPhase.CuttingOver);
      return new StepResult.Progress(MigrationPhase.CuttingOver, "cut-over approved");
    }
    return new StepResult.Waiting(
        phase(),
        WaitReason.AwaitingCutover,
        Duration.ofSeconds(2),
        "in sync; set control.cutover to Proceed to swap the tables");
  }

  @Override
  public StepResult cancel(StepContext ctx) throws SQLException {
    return Cleanup.toPhase(ctx, MigrationPhase.Cancelled);
  }
}
