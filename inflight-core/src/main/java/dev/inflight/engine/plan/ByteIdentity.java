package dev.inflight.engine.plan;

import java.util.Set;

/**
 * Types whose equality is byte identity: two values that compare equal are the same value. For
 * every other type (numeric 1.0 = 1.00, citext and nondeterministic collations, intervals, floats'
 * signed zero, ...) a row can change while comparing equal, so replay rewrites such key columns and
 * verification compares their text form.
 */
final class ByteIdentity {
  /** Catalog names ({@code pg_type.typname}). */
  static final Set<String> CATALOG_NAMES =
      Set.of(
          "int2",
          "int4",
          "int8",
          "oid",
          "bool",
          "uuid",
          "date",
          "time",
          "timestamp",
          "timestamptz",
          "bytea");

  /** The same types as {@code format_type} prints them. */
  private static final Set<String> FORMATTED =
      Set.of(
          "smallint",
          "integer",
          "bigint",
          "oid",
          "boolean",
          "uuid",
          "date",
          "time without time zone",
          "timestamp without time zone",
          "timestamp with time zone",
          "bytea");

  private ByteIdentity() {}

  /** True when equal values of this {@code format_type} type are always identical. */
  static boolean of(String formattedType) {
    String base = formattedType.replaceAll("\\(\\d+(,\\d+)?\\)", "").trim();
    return FORMATTED.contains(base);
  }
}
