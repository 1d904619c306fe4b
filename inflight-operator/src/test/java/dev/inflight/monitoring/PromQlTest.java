package dev.inflight.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The metric-name reader that MonitoringContractTest relies on finds names and only names. */
class PromQlTest {
  @Test
  void findsEveryMetricAndNoLabelFunctionOrKeyword() {
    assertThat(
            PromQl.metricNames(
                "(time() - max by (namespace, name) (a_seconds{phase=~\"Backfilling|x\"})) > 1800"
                    + " and on (namespace, name) sum without (le) (rate(b_total[5m] offset 1h))"
                    + " unless ignoring(reason) c == bool 1e3"))
        .containsExactlyInAnyOrder("a_seconds", "b_total", "c");
  }

  @Test
  void readsGrafanaQueriesWithTheirVariables() {
    assertThat(
            PromQl.metricNames(
                "sum by (name, reason) (increase(x_total{namespace=~\"$namespace\"}[$__rate_interval]))"))
        .containsExactly("x_total");
    assertThat(PromQl.metricNames("label_values(y{namespace=~\"$namespace\"}, name)"))
        .containsExactly("y");
    assertThat(PromQl.metricNames("absent(up{job=\"inflight-operator\"} == 1)"))
        .containsExactly("up");
  }
}
