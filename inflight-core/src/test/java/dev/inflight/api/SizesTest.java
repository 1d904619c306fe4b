package dev.inflight.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The spec's sizes, written as in postgresql.conf. */
class SizesTest {

  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "512, 512",
    "512B, 512",
    "64kB, 65536",
    "1MB, 1048576",
    "1GB, 1073741824",
    "1gb, 1073741824",
    "1GiB, 1073741824",
    "2 TB, 2199023255552",
  })
  void unitsArePowersOf1024AsInPostgresql(String text, long bytes) {
    assertThat(Sizes.parse("f", text)).isEqualTo(bytes);
  }

  @Test
  void emptyOrAbsentIsOff() {
    assertThat(Sizes.parse("f", null)).isZero();
    assertThat(Sizes.parse("f", " ")).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.5GB", "-1MB", "1G", "1 gigabyte", "GB", "1GB1MB", "0x10", "1e9"})
  void textThatIsNotASizeIsRefusedNamingTheFieldAndTheForm(String text) {
    assertThatThrownBy(() -> Sizes.parse("spec.backfill.maxSlotRetainedWal", text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "spec.backfill.maxSlotRetainedWal: '"
                + text
                + "' is not a size; use a number with a unit B, kB, MB, GB or TB, e.g. 512MB, 1GB");
  }

  @Test
  void aSizeBeyondWhatALongHoldsIsRefusedNotWrapped() {
    assertThatThrownBy(() -> Sizes.parse("f", "9000000000TB"))
        .hasMessage("f: '9000000000TB' is too large for a size");
    assertThatThrownBy(() -> Sizes.parse("f", "99999999999999999999"))
        .hasMessage("f: '99999999999999999999' is too large for a size");
  }

  @Test
  void formatWritesWhatParseReads() {
    assertThat(Sizes.format(256 * 1024)).isEqualTo("256kB");
    assertThat(Sizes.format(1L << 30)).isEqualTo("1GB");
    assertThat(Sizes.format(1536L << 20)).isEqualTo("1.5GB");
    assertThat(Sizes.format(100)).isEqualTo("100B");
    assertThat(Sizes.parse("f", Sizes.format(256 * 1024))).isEqualTo(256 * 1024);
  }
}
