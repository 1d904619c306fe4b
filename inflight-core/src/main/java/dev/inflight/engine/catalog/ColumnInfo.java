package dev.inflight.engine.catalog;

/**
 * A column as the catalog describes it. {@code type} is {@code format_type} output, so it can be
 * written back into SQL as is. {@code identity} is {@code a} (ALWAYS), {@code d} (BY DEFAULT) or
 * empty; {@code generated} is {@code s} for a stored generated column or empty. {@code collation}
 * is the column's collation as SQL names it when it is not its type's default, otherwise null.
 */
public record ColumnInfo(
    int attnum,
    String name,
    String type,
    boolean notNull,
    String defaultExpr,
    String identity,
    String generated,
    String collation) {

  /** The type followed by the column's own collation, for columns that must sort like this one. */
  public String typeWithCollation() {
    return collation == null ? type : type + " COLLATE " + collation;
  }

  public boolean isGenerated() {
    return !generated.isEmpty();
  }
}
