package dev.inflight.engine.sql;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The one place identifiers are quoted. Every name the engine writes into SQL passes through {@link
 * #ident}; user values are bound parameters, and user expressions pass {@link SqlExpressions}
 * first.
 */
public final class Sql {
  private Sql() {}

  /** A double-quoted identifier; embedded quotes are doubled. */
  public static String ident(String name) {
    if (name == null || name.isEmpty() || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("invalid identifier: " + name);
    }
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** {@code "schema"."name"}. */
  public static String qualified(String schema, String name) {
    return ident(schema) + "." + ident(name);
  }

  /** A comma-separated list of quoted identifiers. */
  public static String idents(List<String> names) {
    return names.stream().map(Sql::ident).collect(Collectors.joining(", "));
  }

  /** The same list, each prefixed with a table alias: {@code a."x", a."y"}. */
  public static String idents(String alias, List<String> names) {
    return names.stream().map(n -> alias + "." + ident(n)).collect(Collectors.joining(", "));
  }

  /**
   * A string literal for the few places PostgreSQL accepts no parameter (COMMENT ON, DDL defaults).
   * Standard-conforming strings are assumed, as in every supported version.
   */
  public static String literal(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("string contains a NUL character");
    }
    return "'" + value.replace("'", "''") + "'";
  }

  /** {@code a."k1" = b."k1" AND a."k2" = b."k2"}. */
  public static String joinOn(
      String left, List<String> leftCols, String right, List<String> rightCols) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < leftCols.size(); i++) {
      if (i > 0) {
        sb.append(" AND ");
      }
      sb.append(left).append('.').append(ident(leftCols.get(i)));
      sb.append(" = ");
      sb.append(right).append('.').append(ident(rightCols.get(i)));
    }
    return sb.toString();
  }

  /** A row constructor of parameters cast to the key types: {@code (?::integer, ?::text)}. */
  public static String paramRow(List<String> types) {
    return "(" + types.stream().map(t -> "?::" + t).collect(Collectors.joining(", ")) + ")";
  }
}
