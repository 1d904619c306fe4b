package dev.inflight.engine.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The original table as planned.
 *
 * @param fingerprint digest of the table's shape, compared again under the cut-over lock
 * @param indexes the table's indexes
 * @param archivedIndexes the names they take while archived, in the same order
 * @param snapshot the table as {@code TableSnapshot} reads it; after a rollback the live table must
 *     equal it
 * @param partitions a partitioned table's partitions; empty for any other table
 */
public record SourceTable(
    String schema,
    String table,
    String fingerprint,
    List<String> indexes,
    List<String> archivedIndexes,
    Map<String, List<String>> snapshot,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<PartitionPlan> partitions) {

  public SourceTable {
    partitions = partitions == null ? List.of() : List.copyOf(partitions);
  }

  public boolean partitioned() {
    return !partitions.isEmpty();
  }
}
