package dev.inflight.engine.phase;

import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import java.sql.SQLException;

/**
 * AwaitingApproval. Pre: approval is required and {@code control.approvedPlanHash} differs from the
 * plan's hash. Advance: plans again and proceeds once the current plan's hash is approved. Nothing
 * has been built; cancel only records the outcome.
 */
final class AwaitingApprovalPhase implements PhaseStep.BeforeCutover {
  private final ApprovalGate gate;

  AwaitingApprovalPhase(ApprovalGate gate) {
    this.gate = gate;
  }

  @Override
  public MigrationPhase phase() {
    return MigrationPhase.AwaitingApproval;
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
