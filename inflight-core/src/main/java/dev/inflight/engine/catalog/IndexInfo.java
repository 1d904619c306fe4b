package dev.inflight.engine.catalog;

import java.util.List;

/**
 * An index on the table. {@code definition} is {@code pg_get_indexdef}; {@code constraintType} is
 * {@code p}, {@code u}, {@code x} when the index backs a constraint, else empty. {@code body} is
 * the definition after the table name ({@code USING btree (id)}), to recreate it elsewhere; {@code
 * columns} its key columns when they are all plain columns, else empty.
 */
public record IndexInfo(
    String name,
    String definition,
    String body,
    boolean primary,
    boolean unique,
    String constraintType,
    String constraintDefinition,
    String comment,
    List<String> columns,
    String tablespace) {

  public boolean backsConstraint() {
    return !constraintType.isEmpty();
  }
}
