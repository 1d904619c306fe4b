package dev.inflight.engine.sql;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Guards the SQL fragments users write (defaults, USING and CHECK expressions, index predicates,
 * type names). A fragment passes only if it is one balanced expression: no statement separator, no
 * comment, no unterminated literal, parentheses that never close more than they opened. Wrapped in
 * parentheses it therefore cannot end the statement it is placed in; PostgreSQL then parses it for
 * real during planning.
 */
public final class SqlExpressions {
  private static final int MAX_EXPRESSION = 4000;
  // The words after the first are those of PostgreSQL's multi-word types (double precision,
  // character varying, timestamp with time zone, interval day to second); any other word would be
  // a column constraint (not null, unique, references t) smuggled in with the type.
  private static final Pattern TYPE_NAME =
      Pattern.compile(
          "(?i)(?:[a-z_][a-z0-9_$]*\\.)?[a-z_][a-z0-9_$]*"
              + "(?: (?:precision|varying|character|char|with|without|time|zone|year|month|day|hour|minute|second|to)){0,3}"
              + "(?:\\s*\\(\\s*\\d{1,5}(?:\\s*,\\s*-?\\d{1,5})?\\s*\\))?"
              + "(?: with(?:out)? time zone)?(?:\\s*\\[\\d*\\])*");

  private SqlExpressions() {}

  /**
   * Returns the expression ready to embed in a statement run through JDBC: validated and with every
   * {@code ?} outside literals doubled, because the driver reads a lone {@code ?} as a parameter.
   * Throws {@link IllegalArgumentException} naming {@code what} otherwise.
   */
  public static String expression(String what, String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(what + ": empty expression");
    }
    if (text.length() > MAX_EXPRESSION) {
      throw new IllegalArgumentException(
          what + ": expression longer than " + MAX_EXPRESSION + " characters");
    }
    StringBuilder out = new StringBuilder(text.length() + 8);
    int depth = 0;
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c == '\0' || (Character.isISOControl(c) && !Character.isWhitespace(c))) {
        throw new IllegalArgumentException(what + ": control character in expression");
      } else if (identifierStart(c)) {
        // Read names whole, as PostgreSQL's lexer does: a '$' inside one is part of the name, and
        // only an E directly before a quote (not the end of a name such as date'...') makes the
        // string one where a backslash escapes the quote.
        if ((c == 'E' || c == 'e') && i + 1 < n && text.charAt(i + 1) == '\'') {
          int end = endOfQuoted(text, i + 1, '\'', what, "string literal", true);
          out.append(text, i, end);
          i = end;
          continue;
        }
        int end = i + 1;
        while (end < n && identifierPart(text.charAt(end))) {
          end++;
        }
        out.append(text, i, end);
        i = end;
        continue;
      } else if (c == '\'') {
        int end = endOfQuoted(text, i, '\'', what, "string literal", false);
        out.append(text, i, end);
        i = end;
        continue;
      } else if (c == '"') {
        int end = endOfQuoted(text, i, '"', what, "quoted identifier", false);
        out.append(text, i, end);
        i = end;
        continue;
      } else if (c == '$') {
        // Outside a name, '$' starts a dollar-quoted string ($$, $tag$, $a1$, $_$) or a $n
        // parameter; a dollar-quoted string would hide quotes and parentheses from this guard.
        throw new IllegalArgumentException(
            what + ": dollar-quoted strings are not accepted; use a standard 'string'");
      } else if (c == ';') {
        throw new IllegalArgumentException(what + ": ';' is not allowed in an expression");
      } else if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
        throw new IllegalArgumentException(
            what + ": comments ('--') are not allowed in an expression");
      } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
        throw new IllegalArgumentException(
            what + ": comments ('/*') are not allowed in an expression");
      } else if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
        if (depth < 0) {
          throw new IllegalArgumentException(what + ": unbalanced ')' in expression");
        }
      } else if (c == '?') {
        out.append('?');
      }
      out.append(c);
      i++;
    }
    if (depth != 0) {
      throw new IllegalArgumentException(what + ": unbalanced '(' in expression");
    }
    return out.toString().trim();
  }

  /** Returns the type name if it has the shape of a PostgreSQL type, else throws. */
  public static String typeName(String what, String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(what + ": type is required");
    }
    String t = text.trim().replaceAll("\\s+", " ");
    if (t.length() > 200 || !TYPE_NAME.matcher(t).matches()) {
      throw new IllegalArgumentException(
          what
              + ": '"
              + text
              + "' is not a type name (e.g. integer, varchar(20), numeric(10,2), text[])");
    }
    return t;
  }

  /**
   * Returns the name if it is acceptable for an object Inflight creates: at most 63 bytes (longer
   * names would be silently truncated by PostgreSQL), no quotes, semicolons or control characters,
   * no leading or trailing space.
   */
  public static String newName(String what, String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException(what + ": name is required");
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > 63) {
      throw new IllegalArgumentException(
          what + ": '" + name + "' is longer than PostgreSQL's 63-byte limit for names");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '"' || c == ';' || c == '\'' || Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            what
                + ": '"
                + name
                + "' contains a quote, ';' or control character, which Inflight does not accept in new names");
      }
    }
    if (!name.equals(name.strip())) {
      throw new IllegalArgumentException(what + ": '" + name + "' has leading or trailing spaces");
    }
    return name;
  }

  /** A character that starts a name in PostgreSQL: a letter, '_', or any non-ASCII character. */
  private static boolean identifierStart(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || c == '_'
        || (c >= 0x80 && !Character.isISOControl(c));
  }

  /** A character that continues a name: also digits and '$'. */
  private static boolean identifierPart(char c) {
    return identifierStart(c) || (c >= '0' && c <= '9') || c == '$';
  }

  private static int endOfQuoted(
      String text, int start, char quote, String what, String kind, boolean backslashEscapes) {
    int i = start + 1;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\0') {
        throw new IllegalArgumentException(what + ": NUL character in " + kind);
      }
      if (c == quote) {
        if (i + 1 < text.length() && text.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      if (c == '\\' && backslashEscapes) {
        i += 2;
        continue;
      }
      i++;
    }
    throw new IllegalArgumentException(what + ": unterminated " + kind);
  }
}
