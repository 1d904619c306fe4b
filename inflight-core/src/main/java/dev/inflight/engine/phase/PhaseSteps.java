package dev.inflight.engine.phase;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/** The phase steps, one per non-terminal phase, and the steps that belong to no single phase. */
public final class PhaseSteps {
  private final Map<MigrationPhase, PhaseStep> byPhase = new EnumMap<>(MigrationPhase.class);

  public PhaseSteps(ObjectMapper json) {
    this(json, new SubmittedPlans());
  }

  /** With the plans the engine's submissions hand to the Planning step. */
  public PhaseSteps(ObjectMapper json, SubmittedPlans submitted) {
    ApprovalGate gate = new ApprovalGate(json, submitted);
    register(new PlanningPhase(gate));
    register(new AwaitingApprovalPhase(gate));
    register(new CreatingShadowPhase());
    register(new BackfillingPhase());
    register(new SyncingPhase());
    register(new AwaitingCutoverPhase());
    register(new CuttingOverPhase());
    register(new CompletedPhase());
    register(new RollingBackPhase());
  }

  private void register(PhaseStep step) {
    byPhase.put(step.phase(), step);
  }

  /** The step of a phase; terminal phases have none. */
  public Optional<PhaseStep> of(MigrationPhase phase) {
    return Optional.ofNullable(byPhase.get(phase));
  }

  /** Finalizes a Completed migration (the Finalize action). */
  public static StepResult finalizeNow(StepContext ctx) throws SQLException {
    return CompletedPhase.finalizeNow(ctx);
  }

  /**
   * Finishes what follows a committed swap back when a step stopped between the two (a kill, a
   * validation that waited too long for a lock): the foreign keys validated again and the catalog
   * compared with the original. Both are no-ops once done.
   */
  public static void settleRollback(StepContext ctx) throws SQLException {
    PostSwap.validate(ctx, true);
    CatalogCheck.record(ctx, true);
  }

  /** Cleans up a migration that failed before cut-over and records it Failed. */
  public static StepResult fail(StepContext ctx) throws SQLException {
    return Cleanup.toPhase(ctx, MigrationPhase.Failed);
  }
}
