package dev.inflight.engine.plan;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The few rewrites applied to definitions PostgreSQL prints (views, triggers, foreign keys): a
 * relation name replaced by another, or a referenced column list replaced. They scan SQL tokens,
 * never inside string literals or quoted identifiers, and match whole names only.
 */
final class Definitions {
  /** Words that may follow a relation in a FROM clause when it has no alias. */
  private static final Set<String> NOT_AN_ALIAS =
      Set.of(
          "where",
          "join",
          "inner",
          "left",
          "right",
          "full",
          "cross",
          "natural",
          "on",
          "using",
          "group",
          "order",
          "limit",
          "offset",
          "union",
          "except",
          "intersect",
          "having",
          "window",
          "fetch",
          "for",
          "lateral",
          "returning",
          "tablesample",
          "with");

  private Definitions() {}

  /**
   * Replaces each whole occurrence of the relation {@code from} (as printed, e.g. {@code
   * public.users}) by {@code to}. With {@code alias}, an occurrence not followed by an alias gets
   * {@code AS alias}, so column references qualified by the old name keep resolving.
   */
  static String replaceRelation(String sql, String from, String to, String alias) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '"') {
        int end = endOfQuoted(sql, i, c);
        out.append(sql, i, end);
        i = end;
        continue;
      }
      if (sql.startsWith(from, i)
          && boundaryBefore(sql, i)
          && boundaryAfter(sql, i + from.length())) {
        out.append(to);
        i += from.length();
        if (alias != null && !followedByAlias(sql, i)) {
          out.append(" AS ").append(alias);
        }
        continue;
      }
      out.append(c);
      i++;
    }
    return out.toString();
  }

  /** True when the relation occurs in the SQL as a whole name, outside literals. */
  static boolean mentions(String sql, String relation) {
    return !replaceRelation(sql, relation, "\u0000", null).equals(sql);
  }

  /** Replaces the first {@code marker} by {@code replacement}, or fails if it is absent. */
  static String replaceOnce(String text, String marker, String replacement) {
    int i = text.indexOf(marker);
    if (i < 0) {
      throw new IllegalStateException("unexpected definition (no '" + marker + "'): " + text);
    }
    return text.substring(0, i) + replacement + text.substring(i + marker.length());
  }

  /**
   * In a foreign key definition, gives the column list after {@code REFERENCES relation} new names.
   * Returns null when the definition does not have that shape.
   */
  static String withReferencedColumns(
      String fkDefinition, String relation, List<String> quotedColumns) {
    String marker = "REFERENCES " + relation + "(";
    int start = fkDefinition.indexOf(marker);
    if (start < 0) {
      return null;
    }
    int open = start + marker.length();
    int close = fkDefinition.indexOf(')', open);
    if (close < 0) {
      return null;
    }
    return fkDefinition.substring(0, open)
        + String.join(", ", quotedColumns)
        + fkDefinition.substring(close);
  }

  /** The definition without a trailing {@code NOT VALID}. */
  static String withoutNotValid(String definition) {
    String d = definition.strip();
    return d.endsWith(" NOT VALID") ? d.substring(0, d.length() - " NOT VALID".length()) : d;
  }

  private static boolean boundaryBefore(String s, int i) {
    if (i == 0) {
      return true;
    }
    char p = s.charAt(i - 1);
    return !(Character.isLetterOrDigit(p) || p == '_' || p == '.' || p == '$' || p == '"');
  }

  private static boolean boundaryAfter(String s, int i) {
    if (i >= s.length()) {
      return true;
    }
    char n = s.charAt(i);
    return !(Character.isLetterOrDigit(n) || n == '_' || n == '.' || n == '$' || n == '"');
  }

  private static boolean followedByAlias(String s, int i) {
    int j = i;
    while (j < s.length() && Character.isWhitespace(s.charAt(j))) {
      j++;
    }
    if (j >= s.length()) {
      return false;
    }
    if (s.charAt(j) == '"') {
      return true;
    }
    int k = j;
    while (k < s.length() && (Character.isLetterOrDigit(s.charAt(k)) || s.charAt(k) == '_')) {
      k++;
    }
    if (k == j) {
      return false;
    }
    String word = s.substring(j, k).toLowerCase(Locale.ROOT);
    return word.equals("as") || !NOT_AN_ALIAS.contains(word);
  }

  private static int endOfQuoted(String s, int start, char quote) {
    int i = start + 1;
    while (i < s.length()) {
      if (s.charAt(i) == quote) {
        if (i + 1 < s.length() && s.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return s.length();
  }
}
