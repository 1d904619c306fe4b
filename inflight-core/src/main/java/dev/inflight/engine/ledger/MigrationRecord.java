package dev.inflight.engine.ledger;

import dev.inflight.engine.MigrationPhase;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One row of {@code inflight.migrations}: the durable state of a migration. */
public record MigrationRecord(
    long id,
    String name,
    String tableSchema,
    String tableName,
    MigrationPhase phase,
    String planHash,
    String planJson,
    String specJson,
    String failure,
    List<String> backfillCursor,
    List<String> backfillHigh,
    boolean backfillDone,
    Integer batchSize,
    long rowsEstimated,
    long rowsCopied,
    long rowsReplayed,
    int indexesBuilt,
    boolean analyzed,
    boolean extrasBuilt,
    boolean postSwapPending,
    String catalogCheck,
    List<String> verifyCursor,
    boolean verifyDone,
    long rowsVerified,
    int cutoverAttempts,
    String cutoverLastError,
    List<String> cutoverBlockedBy,
    long writesBlockedMillis,
    long writesBlockedTotalMillis,
    Instant cutoverAt,
    Instant rollbackUntil,
    String rollbackError,
    long rowsReplayedBack,
    int rollbackAttempts,
    long rollbackBlockedMillis,
    long rollbackBlockedTotalMillis,
    String lastError,
    int consecutiveErrors,
    Map<String, Long> phaseMillis,
    Instant createdAt,
    Instant phaseStartedAt,
    Instant updatedAt,
    Instant finishedAt) {

  /** schema.table for messages. */
  public String table() {
    return tableSchema + "." + tableName;
  }
}
