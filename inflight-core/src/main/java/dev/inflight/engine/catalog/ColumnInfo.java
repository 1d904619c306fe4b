package dev.inflight.engine.catalog;

/**
 * A column as the catalog describes it. {@code type} is {@code format_type} output, so it can be
 * written back into SQL as is. {@code identity} is {@code a} (ALWAYS), {@code d} (BY DEFAULT) or
 * empty; {@code generated} is {@code s} for a stored generated column or empty.
 */
public record ColumnInfo(
    int attnum,
    String name,
    String type,
    boolean notNull,
    String defaultExpr,
    String identity,
    String generated) {

  public boolean isGenerated() {
    return !generated.isEmpty();
  }
}
