package dev.inflight.engine.catalog;

import java.util.List;
import java.util.Optional;

/**
 * What the planner knows about a table, read in one transaction.
 *
 * @param partitionTree the relations under a partitioned table; null for any other table
 */
public record TableInfo(
    long oid,
    String schema,
    String name,
    String kind,
    String persistence,
    String owner,
    String tablespace,
    String comment,
    Lineage lineage,
    PartitionTree partitionTree,
    List<ColumnInfo> columns,
    List<String> primaryKey,
    List<IndexInfo> indexes,
    List<OwnedSequence> ownedSequences,
    List<String> grants,
    long estimatedRows,
    long totalBytes,
    String fingerprint) {

  /** The tree under a partitioned table; empty for any other table. */
  public Optional<PartitionTree> partitions() {
    return Optional.ofNullable(partitionTree);
  }

  public Optional<ColumnInfo> column(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /**
   * The index whose columns identify rows: the primary key's, else a unique index on NOT NULL
   * columns.
   */
  public Optional<IndexInfo> keyIndex() {
    return indexes.stream()
        .filter(i -> i.unique() && i.columns().equals(primaryKey))
        .sorted((a, b) -> Boolean.compare(b.primary(), a.primary()))
        .findFirst();
  }

  public Optional<IndexInfo> index(String name) {
    return indexes.stream().filter(i -> i.name().equals(name)).findFirst();
  }

  /** The column's type as written in SQL. */
  public String typeOf(String column) {
    return column(column).orElseThrow().type();
  }

  /**
   * The column's type and, when it is not the type's default, its collation, as SQL writes them.
   */
  public String keyTypeOf(String column) {
    return column(column).orElseThrow().typeWithCollation();
  }

  /**
   * A sequence tied to a column: a {@code serial} sequence (moved with OWNED BY at cut-over) or an
   * identity sequence (its position copied to the new table's own identity sequence).
   */
  public record OwnedSequence(
      String column, String schema, String name, boolean identity, String options) {}
}
