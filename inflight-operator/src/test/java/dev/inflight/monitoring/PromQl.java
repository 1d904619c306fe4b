package dev.inflight.monitoring;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression (or a Grafana query, with its {@code $variables}) reads. Not
 * a parser: it drops what cannot hold a metric name (strings, label matchers, ranges, grouping
 * label lists) and keeps every identifier that is not a function, a keyword or a number.
 */
public final class PromQl {
  private static final Pattern STRING =
      Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^{}]*}");
  private static final Pattern RANGE = Pattern.compile("\\[[^\\[\\]]*]");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^()]*\\)");
  private static final Pattern IDENTIFIER =
      Pattern.compile("(?<![\\w.$:])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
  private static final Pattern LABEL_VALUES =
      Pattern.compile("^\\s*label_values\\(\\s*([^,]+?)\\s*,\\s*\\w+\\s*\\)\\s*$");
  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "offset",
          "bool",
          "inf",
          "nan",
          "atan2",
          "start",
          "end");

  private PromQl() {}

  /** The metric names {@code expr} selects. */
  public static Set<String> metricNames(String expr) {
    Matcher template = LABEL_VALUES.matcher(expr);
    if (template.matches()) {
      return metricNames(template.group(1));
    }
    String s = STRING.matcher(expr).replaceAll(" ");
    s = MATCHERS.matcher(s).replaceAll(" ");
    s = RANGE.matcher(s).replaceAll(" ");
    s = GROUPING.matcher(s).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(s);
    while (m.find()) {
      boolean function = m.group(2) != null;
      String name = m.group(1);
      if (!function && !KEYWORDS.contains(name.toLowerCase())) {
        names.add(name);
      }
    }
    return names;
  }
}
