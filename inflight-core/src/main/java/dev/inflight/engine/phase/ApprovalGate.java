package dev.inflight.engine.phase;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.PlanRejectedException;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.StepResult.WaitReason;
import dev.inflight.engine.plan.Plan;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Plans again against the table as it is now and lets the migration start only with a current,
 * approved plan: when the table changed underneath, the new plan replaces the stored one and needs
 * approval again.
 */
final class ApprovalGate {
  private final ObjectMapper json;

  ApprovalGate(ObjectMapper json) {
    this.json = json;
  }

  StepResult pass(StepContext ctx) throws SQLException {
    Plan fresh;
    try {
      fresh = ctx.planner().plan(ctx.conn(), ctx.storedSpec());
    } catch (PlanRejectedException e) {
      ctx.ledger()
          .update(ctx.record().id())
          .set("failure = ?", e.getMessage())
          .execute(ctx.conn(), ctx.now());
      ctx.reload();
      return Cleanup.toPhase(ctx, MigrationPhase.Failed);
    }
    if (!fresh.hash().equals(ctx.record().planHash())) {
      try {
        ctx.ledger()
            .update(ctx.record().id())
            .set("plan_hash = ?", fresh.hash())
            .set("plan = ?::jsonb", json.writeValueAsString(fresh))
            .execute(ctx.conn(), ctx.now());
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
      ctx.reload();
      // The engine reloads the plan at the next step; approve the new hash before any DDL.
      if (ctx.storedSpec().approval().required()) {
        return await(
            ctx, "the table changed since the plan was made; approve the new plan " + fresh.hash());
      }
      return new StepResult.Progress(ctx.record().phase(), "the table changed; planned again");
    }
    if (ctx.storedSpec().approval().required()
        && !fresh.hash().equals(ctx.spec().control().approvedPlanHash())) {
      return await(ctx, "approve plan " + fresh.hash() + " by setting control.approvedPlanHash");
    }
    ctx.transition(MigrationPhase.CreatingShadow);
    return new StepResult.Progress(
        MigrationPhase.CreatingShadow, "plan " + fresh.hash() + " accepted");
  }

  private static StepResult await(StepContext ctx, String message) throws SQLException {
    if (ctx.record().phase() != MigrationPhase.AwaitingApproval) {
      ctx.transition(MigrationPhase.AwaitingApproval);
    }
    return new StepResult.Waiting(
        MigrationPhase.AwaitingApproval,
        WaitReason.AwaitingApproval,
        Duration.ofSeconds(5),
        message);
  }
}
