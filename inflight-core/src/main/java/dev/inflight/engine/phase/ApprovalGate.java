package dev.inflight.engine.phase;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.PlanRejectedException;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.StepResult.WaitReason;
import dev.inflight.engine.catalog.CatalogReader;
import dev.inflight.engine.plan.Plan;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Lets the migration start only with a current, approved plan. The plan is current when this
 * engine's submission made and recorded it moments ago for the table as it still is (see {@link
 * SubmittedPlans}); otherwise the gate plans again against the table as it is now, and when the
 * table changed underneath, the new plan replaces the stored one and needs approval again. Either
 * way the plan that passes was validated by a dry run before any DDL.
 */
final class ApprovalGate {
  private final ObjectMapper json;
  private final SubmittedPlans submitted;

  ApprovalGate(ObjectMapper json, SubmittedPlans submitted) {
    this.json = json;
    this.submitted = submitted;
  }

  StepResult pass(StepContext ctx) throws SQLException {
    Plan fresh;
    if (justSubmitted(ctx)) {
      fresh = ctx.plan();
    } else {
      try {
        fresh = ctx.planner().plan(ctx.conn(), ctx.storedSpec());
      } catch (PlanRejectedException e) {
        return rejected(ctx, e);
      }
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
      return new StepResult.Progress(
          ctx.record().phase(), "the table changed; planned again: plan " + fresh.hash());
    }
    if (ctx.storedSpec().approval().required()
        && !fresh.hash().equals(ctx.spec().control().approvedPlanHash())) {
      return await(ctx, "approve plan " + fresh.hash() + " by setting control.approvedPlanHash");
    }
    ctx.transition(MigrationPhase.CreatingShadow);
    return new StepResult.Progress(
        MigrationPhase.CreatingShadow, "plan " + fresh.hash() + " accepted");
  }

  /**
   * The first Planning step after this engine submitted the migration, with the table's shape
   * unchanged: the stored plan is the one the submission's dry run validated moments ago.
   */
  private boolean justSubmitted(StepContext ctx) throws SQLException {
    if (ctx.record().phase() != MigrationPhase.Planning
        || !submitted.takeFresh(ctx.record().id(), ctx.record().planHash(), ctx.now())) {
      return false;
    }
    CatalogReader catalog = new CatalogReader(ctx.conn());
    return catalog
        .fingerprint(catalog.resolve(ctx.tableSql()).oid())
        .equals(ctx.plan().fingerprint());
  }

  /** A spec the catalog refuses now: the migration fails before any DDL, as at submission. */
  private static StepResult rejected(StepContext ctx, PlanRejectedException e) throws SQLException {
    ctx.ledger()
        .update(ctx.record().id())
        .set("failure = ?", e.getMessage())
        .execute(ctx.conn(), ctx.now());
    ctx.reload();
    return Cleanup.toPhase(ctx, MigrationPhase.Failed);
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
