package dev.inflight.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.ConditionType;
import dev.inflight.api.MigrationStatus;
import dev.inflight.api.MigrationStatus.Condition;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the reconciler looks at a migration again, from the step's result and the status. */
class NextStepTest {
  private static MigrationStatus status(String phase, String ready) {
    return new MigrationStatus(
        1L,
        phase,
        "",
        null,
        null,
        null,
        null,
        null,
        null,
        List.of(
            new Condition(ConditionType.Ready.name(), ready, "r", "", "2026-01-01T00:00:00Z", 1L)));
  }

  @Test
  void aFinishedMigrationThatReachedItsIntentIsLeftAlone() {
    StepResult done = new StepResult.Done(MigrationPhase.RolledBack, "RolledBack");
    assertThat(SchemaMigrationReconciler.nextStep(done, status("RolledBack", "True"))).isNull();
  }

  @Test
  void aFinishedMigrationWhoseStatusIsNotReadyIsLookedAtAgain() {
    // The reconcile saw a spec older than the API server's (action Run while the rollback it had
    // asked for finished): the status says Stalled until a later reconcile sees the real spec.
    StepResult done = new StepResult.Done(MigrationPhase.RolledBack, "RolledBack");
    assertThat(SchemaMigrationReconciler.nextStep(done, status("RolledBack", "False")))
        .isEqualTo(SchemaMigrationReconciler.PERSON_POLL);
  }

  @Test
  void workInProgressAndTheReverseReplayKeepTheirPace() {
    assertThat(
            SchemaMigrationReconciler.nextStep(
                new StepResult.Progress(MigrationPhase.Backfilling, "copying"),
                status("Backfilling", "False")))
        .isEqualTo(SchemaMigrationReconciler.NEXT_STEP);
    assertThat(
            SchemaMigrationReconciler.nextStep(
                new StepResult.Done(MigrationPhase.Completed, "Completed"),
                status("Completed", "True")))
        .isEqualTo(SchemaMigrationReconciler.COMPLETED_POLL);
    assertThat(
            SchemaMigrationReconciler.nextStep(
                new StepResult.Waiting(
                    MigrationPhase.CuttingOver,
                    StepResult.WaitReason.LockContention,
                    Duration.ofMillis(700),
                    "blocked"),
                status("CuttingOver", "False")))
        .isEqualTo(Duration.ofMillis(700));
  }
}
