package dev.inflight.engine.plan;

/**
 * A primary-key column: its name and type on the original table and on the new one. A type carries
 * {@code COLLATE} when the column's collation is not its type's default.
 */
public record KeyColumn(String source, String sourceType, String target, String targetType) {

  /** The same column seen from the new table, for the rollback's direction. */
  public KeyColumn reversed() {
    return new KeyColumn(target, targetType, source, sourceType);
  }
}
