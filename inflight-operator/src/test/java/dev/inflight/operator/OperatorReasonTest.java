package dev.inflight.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.engine.PlanRejectedException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Planning's refusals get a reason that says what to fix: the connection or the change. The
 * pooler's wording is checked end to end by OperatorTest (a real PgBouncer) and the standby's by
 * the engine's SessionCheckTest; this pins how each is told apart.
 */
class OperatorReasonTest {
  @Test
  void theSessionChecksRefusalsHaveTheirOwnReasonsAndEverythingElseIsPlanRejected() {
    assertThat(
            OperatorReason.ofRefusal(
                new PlanRejectedException(
                    "the connection is transaction-pooled (two connections open at once were"
                        + " served by one server process), as through PgBouncer")))
        .isEqualTo(OperatorReason.ConnectionPooled);
    assertThat(
            OperatorReason.ofRefusal(
                new PlanRejectedException(
                    "the connection reaches a standby (pg_is_in_recovery() is true)")))
        .isEqualTo(OperatorReason.Standby);
    assertThat(
            OperatorReason.ofRefusal(
                new PlanRejectedException("column \"nope\" does not exist in public.parts")))
        .isEqualTo(OperatorReason.PlanRejected);
    assertThat(
            OperatorReason.ofRefusal(
                new PlanRejectedException(
                    List.of(
                        "column \"nope\" does not exist",
                        "the connection is transaction-pooled (...)"))))
        .as("a refusal of the change among others is the change's")
        .isEqualTo(OperatorReason.PlanRejected);
  }
}
