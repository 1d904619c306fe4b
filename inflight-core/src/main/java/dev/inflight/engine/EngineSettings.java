package dev.inflight.engine;

import java.time.Duration;

/**
 * Engine-wide limits, independent of any one migration's spec.
 *
 * @param stepBudget how long one step may keep doing bounded units of work before returning
 * @param replayBatch log entries replayed per statement
 * @param verifyChunk rows compared per verification chunk
 * @param cutoverBacklog the replay backlog under which the cut-over lock is requested
 * @param ddlTimeout statement_timeout for DDL and batch statements
 * @param indexBuildTimeout statement_timeout for building one index on the shadow
 * @param maxBatchSize the largest batch the copy grows to
 */
public record EngineSettings(
    Duration stepBudget,
    int replayBatch,
    int verifyChunk,
    int cutoverBacklog,
    Duration ddlTimeout,
    Duration indexBuildTimeout,
    int maxBatchSize) {

  public static EngineSettings defaults() {
    return new EngineSettings(
        Duration.ofSeconds(2),
        5_000,
        200_000,
        2_000,
        Duration.ofMinutes(5),
        Duration.ofHours(12),
        200_000);
  }

  public EngineSettings withStepBudget(Duration budget) {
    return new EngineSettings(
        budget,
        replayBatch,
        verifyChunk,
        cutoverBacklog,
        ddlTimeout,
        indexBuildTimeout,
        maxBatchSize);
  }
}
