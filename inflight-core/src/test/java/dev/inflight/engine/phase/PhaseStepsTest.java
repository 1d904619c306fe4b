package dev.inflight.engine.phase;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.engine.Json;
import dev.inflight.engine.MigrationPhase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every phase that is not terminal has its step, and the step's way back matches the side of the
 * swap its phase is on: Cancel before cut-over, Rollback after it.
 */
class PhaseStepsTest {
  private final PhaseSteps steps = new PhaseSteps(Json.mapper());

  @ParameterizedTest
  @EnumSource(MigrationPhase.class)
  void stepWaysBackMatchTheSideOfTheSwap(MigrationPhase phase) {
    if (phase.terminal()) {
      assertThat(steps.of(phase)).isEmpty();
      return;
    }
    PhaseStep step = steps.of(phase).orElseThrow();
    assertThat(step.phase()).isEqualTo(phase);
    assertThat(step)
        .isInstanceOf(
            phase.beforeCutover() ? PhaseStep.BeforeCutover.class : PhaseStep.AfterCutover.class);
  }
}
