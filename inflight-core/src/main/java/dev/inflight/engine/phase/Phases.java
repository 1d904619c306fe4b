package dev.inflight.engine.phase;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.engine.MigrationPhase;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/** The phase implementations, one per non-terminal phase. */
public final class Phases {
  private final Map<MigrationPhase, Phase> byPhase = new EnumMap<>(MigrationPhase.class);

  public Phases(ObjectMapper json) {
    ApprovalGate gate = new ApprovalGate(json);
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

  private void register(Phase p) {
    byPhase.put(p.phase(), p);
  }

  /** The implementation of a phase; terminal phases have none. */
  public Optional<Phase> of(MigrationPhase phase) {
    return Optional.ofNullable(byPhase.get(phase));
  }

  /** Finalizes a Completed migration (the Finalize action). */
  public static dev.inflight.engine.StepResult finalizeNow(StepContext ctx)
      throws java.sql.SQLException {
    return CompletedPhase.finalizeNow(ctx);
  }

  /**
   * Finishes what follows a committed swap back when a step stopped between the two (a kill, a
   * validation that waited too long for a lock): the foreign keys validated again and the catalog
   * compared with the original. Both are no-ops once done.
   */
  public static void settleRollback(StepContext ctx) throws java.sql.SQLException {
    PostSwap.validate(ctx, true);
    CatalogCheck.record(ctx, true);
  }

  /** Cleans up a migration that failed before cut-over and records it Failed. */
  public static dev.inflight.engine.StepResult fail(StepContext ctx) throws java.sql.SQLException {
    return Cleanup.toPhase(ctx, MigrationPhase.Failed);
  }
}
