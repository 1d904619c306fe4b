package dev.inflight.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The spec's Kubernetes-style durations. */
class DurationsTest {

  @ParameterizedTest
  @CsvSource({
    "500ms, PT0.5S",
    "2s, PT2S",
    "1ms, PT0.001S",
    "1m, PT1M",
    "1h30m, PT1H30M",
    "1d, PT24H",
    "1m1ms, PT1M0.001S",
    "0, PT0S",
    "0s, PT0S",
  })
  void unitsAddUpAndMsIsMillisecondsNotMinutes(String text, Duration expected) {
    assertThat(Durations.parse("f", text)).isEqualTo(expected);
  }

  @Test
  void surroundingSpacesAreIgnored() {
    assertThat(Durations.parse("f", " 2s ")).isEqualTo(Duration.ofSeconds(2));
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(
      strings = {"", "2", "2 s", "-1s", "1.5s", "2sec", "s", "2S", "1h 30m", "P1D", "0x10s", "+1s"})
  void textThatIsNotADurationIsRefusedNamingTheFieldAndTheForm(String text) {
    assertThatThrownBy(() -> Durations.parse("spec.cutover.lockTimeout", text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "spec.cutover.lockTimeout: '"
                + text
                + "' is not a duration; use a number with a unit ms, s, m, h or d, e.g. 500ms, 2s,"
                + " 24h");
  }

  @ParameterizedTest
  @ValueSource(strings = {"99999999999999999999s", "9223372036854775807d", "106751991167301d"})
  void durationTooLargeIsRefusedInsteadOfOverflowing(String text) {
    assertThatThrownBy(() -> Durations.parse("spec.rollback.retainFor", text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spec.rollback.retainFor: '" + text + "' is too large for a duration");
  }

  @ParameterizedTest
  @CsvSource({
    "PT0S, 0",
    "PT0.5S, 500ms",
    "PT1.5S, 1500ms",
    "PT2S, 2s",
    "PT90S, 90s",
    "PT1M, 1m",
    "PT1H30M, 90m",
    "PT24H, 24h",
  })
  void formatWritesTheLargestWholeUnit(Duration duration, String text) {
    assertThat(Durations.format(duration)).isEqualTo(text);
    assertThat(Durations.parse("f", text)).isEqualTo(duration);
  }
}
