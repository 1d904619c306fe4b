package dev.inflight.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The migration as people and GitOps tools see it: a mirror of the database ledger, which is the
 * source of truth. {@code inflight status --output json} prints exactly this shape. {@code
 * catalogCheck} says whether the live table looked exactly as planned after the last swap ({@code
 * identical}) or lists the differences.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationStatus(
    Long observedGeneration,
    String phase,
    String message,
    PlanStatus plan,
    Progress progress,
    CutoverStatus cutover,
    RollbackStatus rollback,
    String lastError,
    String catalogCheck,
    List<Condition> conditions) {

  /** The SQL the engine runs, the hash an approver signs off, and what to watch out for. */
  public record PlanStatus(String hash, List<String> statements, List<String> warnings) {}

  /** Copy and sync progress; {@code logBacklog} is the number of changed keys not yet replayed. */
  public record Progress(
      long rowsCopied,
      long rowsEstimated,
      int percent,
      long rowsPerSecond,
      Long etaSeconds,
      long logBacklog) {}

  /** Cut-over attempts, who blocked them, and the longest time writes waited on the swap. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CutoverStatus(
      int attempts,
      String lastError,
      List<String> blockedBy,
      long writesBlockedMillis,
      String completedAt) {}

  /** Whether a lossless rollback is possible, to which table, and until when. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RollbackStatus(boolean available, String archivedTable, String until) {}

  /** A condition with the fields of Kubernetes {@code metav1.Condition}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Condition(
      String type,
      String status,
      String reason,
      String message,
      String lastTransitionTime,
      Long observedGeneration) {}
}
