package dev.inflight.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The condition types are API: GitOps tools and people's alerts match these strings, so they are
 * spelled out here once, independently of the enum.
 */
class ConditionTypeTest {
  @Test
  void typesAreTheStatusStringsInStatusOrder() {
    assertThat(Arrays.stream(ConditionType.values()).map(Enum::name))
        .containsExactly(
            "Ready",
            "Reconciling",
            "Stalled",
            "Planned",
            "Approved",
            "CutoverReady",
            "RollbackAvailable");
  }
}
