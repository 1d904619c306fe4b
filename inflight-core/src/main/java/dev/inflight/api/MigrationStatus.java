package dev.inflight.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
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
    @JsonPropertyDescription(
            "Planning, AwaitingApproval, CreatingShadow, Backfilling, Syncing, AwaitingCutover,"
                + " CuttingOver, Completed, RollingBack, RolledBack, Cancelled, Finalized or Failed.")
        String phase,
    @JsonPropertyDescription("What the migration is doing or waiting for, in one line.")
        String message,
    @JsonPropertyDescription("The SQL the migration runs and the hash to approve.") PlanStatus plan,
    Progress progress,
    @JsonPropertyDescription("Swap attempts, their blockers, and how long writes waited.")
        CutoverStatus cutover,
    @JsonPropertyDescription("Whether a lossless rollback is possible, and until when.")
        RollbackStatus rollback,
    @JsonPropertyDescription("The last error, retried or not; cleared by a step that succeeds.")
        String lastError,
    @JsonPropertyDescription(
            "identical when the live table's catalog matched the plan after the last swap, else"
                + " the differences.")
        String catalogCheck,
    List<Condition> conditions) {

  /** The SQL the engine runs, the hash an approver signs off, and what to watch out for. */
  public record PlanStatus(String hash, List<String> statements, List<String> warnings) {}

  /** Copy and sync progress; {@code logBacklog} is the number of changed keys not yet replayed. */
  public record Progress(
      long rowsCopied,
      @JsonPropertyDescription("The planner's estimate of the table's rows when the copy began.")
          long rowsEstimated,
      int percent,
      long rowsPerSecond,
      Long etaSeconds,
      @JsonPropertyDescription("Changed keys captured and not yet replayed into the new table.")
          long logBacklog,
      @JsonInclude(JsonInclude.Include.NON_EMPTY)
          @JsonPropertyDescription(
              "During the copy, the throttles that cannot read what they measure (the migrating"
                  + " role lacks pg_monitor) and so hold nothing back, each with what to grant.")
          List<String> blindThrottles) {
    public Progress {
      blindThrottles = blindThrottles == null ? List.of() : List.copyOf(blindThrottles);
    }

    /** Progress with every throttle seeing (or none enabled). */
    public Progress(
        long rowsCopied,
        long rowsEstimated,
        int percent,
        long rowsPerSecond,
        Long etaSeconds,
        long logBacklog) {
      this(rowsCopied, rowsEstimated, percent, rowsPerSecond, etaSeconds, logBacklog, List.of());
    }
  }

  /** Cut-over attempts, who blocked them, and the longest time writes waited on the swap. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CutoverStatus(
      int attempts,
      String lastError,
      @JsonPropertyDescription(
              "Process ids of the sessions that kept the last attempt from its locks;"
                  + " lastError says what they were doing.")
          List<String> blockedBy,
      @JsonPropertyDescription(
              "The longest any swap attempt could hold up writes, from its request for the live"
                  + " table's lock (the wait for the shadow before it blocks nobody) to its commit"
                  + " or lock timeout, in milliseconds.")
          long writesBlockedMillis,
      @JsonPropertyDescription(
              "What writes waited over every swap attempt, failed ones included, in"
                  + " milliseconds: the sum of each attempt's wait.")
          long writesBlockedTotalMillis,
      String completedAt) {}

  /** Whether a lossless rollback is possible, to which table, and until when. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RollbackStatus(
      boolean available,
      @JsonPropertyDescription("The original table, renamed and kept in sync for the rollback.")
          String archivedTable,
      @JsonPropertyDescription("When the archived table stops being kept in sync.") String until,
      @JsonPropertyDescription(
              "The longest any swap-back attempt could hold up writes, in milliseconds.")
          long writesBlockedMillis,
      @JsonPropertyDescription(
              "What writes waited over every swap-back attempt, failed ones included, in"
                  + " milliseconds.")
          long writesBlockedTotalMillis) {}

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
