package dev.inflight.api;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the sizes used in the spec the way {@code postgresql.conf} writes them: {@code 1GB},
 * {@code 512MB}, {@code 64kB}, a plain number of bytes, or {@code 0}. Units are powers of 1024, as
 * in PostgreSQL ({@code 1MB} is 1,048,576 bytes); {@code KiB}, {@code MiB}, {@code GiB} and {@code
 * TiB} are accepted as the same units, and unit case does not matter.
 */
public final class Sizes {
  private static final Pattern WHOLE =
      Pattern.compile("(\\d+) *(B|kB|KiB|MB|MiB|GB|GiB|TB|TiB)?", Pattern.CASE_INSENSITIVE);

  private Sizes() {}

  /**
   * Returns the size in bytes, or throws {@link IllegalArgumentException} naming the field and the
   * accepted form. A null or empty text is {@code 0}.
   */
  public static long parse(String field, String text) {
    if (text == null || text.isBlank()) {
      return 0;
    }
    Matcher m = WHOLE.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          field
              + ": '"
              + text
              + "' is not a size; use a number with a unit B, kB, MB, GB or TB, e.g. 512MB, 1GB");
    }
    long shift =
        switch (m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT)) {
          case "kb", "kib" -> 10;
          case "mb", "mib" -> 20;
          case "gb", "gib" -> 30;
          case "tb", "tib" -> 40;
          default -> 0;
        };
    try {
      long n = Long.parseLong(m.group(1));
      if (n > (Long.MAX_VALUE >> shift)) {
        throw new NumberFormatException();
      }
      return n << shift;
    } catch (NumberFormatException e) {
      // More digits than a long holds: not a typo to coerce.
      throw new IllegalArgumentException(field + ": '" + text + "' is too large for a size");
    }
  }

  /** A size for people, in the units the spec accepts: {@code 1GB}, {@code 1.5GB}, {@code 12kB}. */
  public static String format(long bytes) {
    String[] units = {"B", "kB", "MB", "GB", "TB"};
    double value = bytes;
    int unit = 0;
    while (Math.abs(value) >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return value == Math.rint(value)
        ? (long) value + units[unit]
        : String.format(Locale.ROOT, "%.1f%s", value, units[unit]);
  }
}
