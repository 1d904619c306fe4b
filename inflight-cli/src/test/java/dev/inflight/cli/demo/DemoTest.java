package dev.inflight.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The demo, small: every check passes, and its report shows the cached-plan hazard as the README
 * describes it, absent with the driver setting and present, once per connection and swap, without.
 */
class DemoTest {
  @Test
  void theDemoPassesAndShowsPreparedStatementsWithAndWithoutTheDriverSetting() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    boolean ok;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      ok = new Demo(out, 20_000, 2, 1, 50).run();
    }
    String report = bytes.toString(StandardCharsets.UTF_8);
    assertThat(ok).as(report).isTrue();
    assertThat(report).contains(", 0 failed\n");
    assertThat(number(report, "(\\d+) failure\\(s\\) with autosave=conservative")).isZero();
    // Two connections without the setting, two swaps (cut-over and rollback).
    assertThat(number(report, "(\\d+) inside transactions in a pool without it"))
        .as(report)
        .isBetween(1L, 4L);
  }

  private static long number(String report, String regex) {
    Matcher m = Pattern.compile(regex).matcher(report);
    assertThat(m.find()).as(regex).isTrue();
    return Long.parseLong(m.group(1));
  }
}
