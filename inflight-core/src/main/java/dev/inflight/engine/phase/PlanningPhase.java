package dev.inflight.engine.phase;

import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import java.sql.SQLException;

/**
 * Planning. Pre: a ledger row holds the plan computed when the migration was submitted. Advance:
 * accepts that plan when this engine made it moments ago and the table is unchanged, else plans
 * again (the table may have changed since), and moves to AwaitingApproval or CreatingShadow (see
 * {@link ApprovalGate}). Nothing has been built, so cancel only records the outcome.
 */
final class PlanningPhase implements PhaseStep.BeforeCutover {
  private final ApprovalGate gate;

  PlanningPhase(ApprovalGate gate) {
    this.gate = gate;
  }

  @Override
  public MigrationPhase phase() {
    return MigrationPhase.Planning;
  }

  @Override
  public Observation observe(StepContext ctx) {
    return Observation.NONE;
  }

  @Override
  public StepResult advance(StepContext ctx) throws SQLException {
    return gate.pass(ctx);
  }

  @Override
  public StepResult cancel(StepContext ctx) throws SQLException {
    return Cleanup.toPhase(ctx, MigrationPhase.Cancelled);
  }
}
