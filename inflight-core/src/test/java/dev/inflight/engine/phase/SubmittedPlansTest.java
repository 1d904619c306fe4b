package dev.inflight.engine.phase;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SubmittedPlansTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void aHandOverIsTakenOnceForItsOwnPlanWhileFresh() {
    SubmittedPlans plans = new SubmittedPlans();
    plans.recorded(1, "sha256:a", T0);
    assertThat(plans.takeFresh(1, "sha256:b", T0.plusSeconds(1))).as("another plan").isFalse();
    plans.recorded(1, "sha256:a", T0);
    assertThat(plans.takeFresh(1, "sha256:a", T0.plusSeconds(1))).isTrue();
    assertThat(plans.takeFresh(1, "sha256:a", T0.plusSeconds(1))).as("taken once").isFalse();
    assertThat(plans.takeFresh(2, "sha256:a", T0.plusSeconds(1))).as("never handed").isFalse();
  }

  @Test
  void aHandOverOlderThanItsFreshnessIsNotTakenAndIsDroppedByTheNextSubmission() {
    SubmittedPlans plans = new SubmittedPlans();
    plans.recorded(1, "sha256:a", T0);
    assertThat(plans.takeFresh(1, "sha256:a", T0.plus(SubmittedPlans.FRESH_FOR))).isFalse();

    plans.recorded(2, "sha256:b", T0);
    plans.recorded(3, "sha256:c", T0.plus(SubmittedPlans.FRESH_FOR));
    assertThat(plans.takeFresh(2, "sha256:b", T0.plusSeconds(1))).as("dropped").isFalse();
    assertThat(plans.takeFresh(3, "sha256:c", T0.plus(SubmittedPlans.FRESH_FOR))).isTrue();
  }
}
