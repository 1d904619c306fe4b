package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.engine.StepResult.Throttle;
import dev.inflight.engine.StepResult.WaitReason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A throttled wait always says which limit holds it back, and no other wait names one. */
class StepResultTest {
  @Test
  void onlyAThrottledWaitNamesItsThrottle() {
    StepResult.Waiting lag =
        StepResult.Waiting.throttled(
            MigrationPhase.Backfilling, Throttle.ReplicaLag, Duration.ofSeconds(1), "lag");
    assertThat(lag.reason()).isEqualTo(WaitReason.Throttled);
    assertThat(lag.throttle()).isEqualTo(Throttle.ReplicaLag);
    assertThat(
            new StepResult.Waiting(
                    MigrationPhase.CuttingOver, WaitReason.LockContention, Duration.ZERO, "locks")
                .throttle())
        .isNull();
    assertThatThrownBy(
            () ->
                new StepResult.Waiting(
                    MigrationPhase.Backfilling, WaitReason.Throttled, Duration.ZERO, "which?"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new StepResult.Waiting(
                    MigrationPhase.Backfilling,
                    WaitReason.Paused,
                    Duration.ZERO,
                    "paused",
                    Throttle.MaxRowsPerSecond))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
