package dev.inflight.api;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the Kubernetes-style durations used in the spec: {@code 500ms}, {@code 2s}, {@code 1h30m}.
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|s|m|h|d))+|0");

  private Durations() {}

  /**
   * Returns the duration, or throws {@link IllegalArgumentException} naming the field and the
   * accepted form. {@code 0} is accepted without a unit.
   */
  public static Duration parse(String field, String text) {
    if (text == null || !WHOLE.matcher(text.trim()).matches()) {
      throw new IllegalArgumentException(
          field
              + ": '"
              + text
              + "' is not a duration; use a number with a unit ms, s, m, h or d, e.g. 500ms, 2s, 24h");
    }
    String t = text.trim();
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(t);
    try {
      while (m.find()) {
        long n = Long.parseLong(m.group(1));
        total =
            total.plus(
                switch (m.group(2)) {
                  case "ms" -> Duration.ofMillis(n);
                  case "s" -> Duration.ofSeconds(n);
                  case "m" -> Duration.ofMinutes(n);
                  case "h" -> Duration.ofHours(n);
                  default -> Duration.ofDays(n);
                });
      }
    } catch (NumberFormatException | ArithmeticException e) {
      // More digits than a long holds, or more than a Duration holds: not a typo to coerce.
      throw new IllegalArgumentException(field + ": '" + text + "' is too large for a duration");
    }
    return total;
  }

  /** Formats a duration the way the spec writes it. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0";
    }
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    long s = d.toSeconds();
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}
