package dev.inflight.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a team asks for: one table, an ordered list of changes, and how to pace, gate and undo the
 * migration. Absent sections take their documented defaults; present but invalid values are
 * rejected by {@link SpecValidator}, never coerced.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.table == oldSelf.table", message = "spec.table is immutable")
@ValidationRule(value = "self.changes == oldSelf.changes", message = "spec.changes is immutable")
@ValidationRule(
    value =
        "has(self.database) == has(oldSelf.database) && (!has(self.database) || self.database == oldSelf.database)",
    message = "spec.database is immutable")
public record MigrationSpec(
    @JsonPropertyDescription("Where the credentials are (Kubernetes only).") DatabaseRef database,
    @Required @Size(min = 1, max = 200) @JsonPropertyDescription("schema.table, or table.")
        String table,
    @Required
        @Size(min = 1, max = 100)
        @JsonPropertyDescription("Applied to the new table in order.")
        List<Change> changes,
    @JsonPropertyDescription("Pacing of the copy and the verification.") BackfillSpec backfill,
    @JsonPropertyDescription("How and when the new table replaces the original.")
        CutoverSpec cutover,
    @JsonPropertyDescription("How long a lossless rollback stays possible after cut-over.")
        RollbackSpec rollback,
    @JsonPropertyDescription("Whether a person must approve the plan before any DDL runs.")
        ApprovalSpec approval,
    @JsonPropertyDescription(
            "What people change while the migration runs: the approved plan, the cut-over gate,"
                + " the action.")
        ControlSpec control,
    @Default("Retain") @JsonPropertyDescription("What deleting the resource does to the database.")
        DeletionPolicy deletionPolicy) {
  static final String DURATION = "^(0|([0-9]+(ms|s|m|h|d))+)$";

  public MigrationSpec {
    // Null entries (a bare '-' in YAML) are kept for SpecValidator to report as empty changes;
    // List.copyOf would throw a NullPointerException that reads as malformed YAML.
    changes = changes == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(changes));
    backfill = backfill == null ? BackfillSpec.DEFAULTS : backfill.withDefaults();
    cutover = cutover == null ? CutoverSpec.DEFAULTS : cutover.withDefaults();
    rollback = rollback == null ? RollbackSpec.DEFAULTS : rollback.withDefaults();
    approval = approval == null ? ApprovalSpec.DEFAULTS : approval;
    control = control == null ? ControlSpec.DEFAULTS : control.withDefaults();
    deletionPolicy = deletionPolicy == null ? DeletionPolicy.Retain : deletionPolicy;
  }

  /** This spec with other control fields (what people change while it runs). */
  public MigrationSpec withControl(ControlSpec newControl) {
    return new MigrationSpec(
        database,
        table,
        changes,
        backfill,
        cutover,
        rollback,
        approval,
        newControl,
        deletionPolicy);
  }

  /** This spec with another action. */
  public MigrationSpec withAction(Action newAction) {
    return withControl(new ControlSpec(control.approvedPlanHash(), control.cutover(), newAction));
  }

  /** Where the database credentials come from when running in Kubernetes. */
  public record DatabaseRef(@Required SecretRef secretRef) {}

  /**
   * A Secret in the resource's namespace with the keys {@code url}, {@code username}, {@code
   * password}.
   */
  public record SecretRef(@Required @Size(min = 1, max = 253) String name) {}

  /** Pacing of the copy. Durations are strings such as {@code 500ms}, {@code 10s}, {@code 24h}. */
  public record BackfillSpec(
      @Min(1)
          @Max(1_000_000)
          @Default("10000")
          @JsonPropertyDescription(
              "Rows in the first copy batch; later batches grow or shrink towards targetBatchTime.")
          Integer batchSize,
      @Pattern(DURATION)
          @Default("500ms")
          @JsonPropertyDescription("How long one copy batch should take, e.g. 500ms.")
          String targetBatchTime,
      @Min(0)
          @Default("0")
          @JsonPropertyDescription(
              "Ceiling on rows read per second by the copy and the verification; 0: unthrottled."
                  + " When set, the new table's indexes are also built without parallel workers.")
          Long maxRowsPerSecond,
      @Pattern(DURATION)
          @Default("10s")
          @JsonPropertyDescription(
              "The copy waits while a standby replays more than this far behind; 0: no check.")
          String maxReplicaLag) {
    static final BackfillSpec DEFAULTS = new BackfillSpec(10_000, "500ms", 0L, "10s");

    BackfillSpec withDefaults() {
      return new BackfillSpec(
          batchSize == null ? DEFAULTS.batchSize : batchSize,
          targetBatchTime == null ? DEFAULTS.targetBatchTime : targetBatchTime,
          maxRowsPerSecond == null ? DEFAULTS.maxRowsPerSecond : maxRowsPerSecond,
          maxReplicaLag == null ? DEFAULTS.maxReplicaLag : maxReplicaLag);
    }
  }

  /** How the swap happens: automatically, or only after {@code control.cutover: Proceed}. */
  public record CutoverSpec(
      @Default("Automatic")
          @JsonPropertyDescription(
              "Automatic: swap as soon as the new table is in sync and verified. Manual: only"
                  + " when control.cutover is Proceed.")
          CutoverMode mode,
      @Pattern(DURATION)
          @Default("2s")
          @JsonPropertyDescription(
              "The longest wait for each lock the migration takes, and so the longest an"
                  + " application write waits per swap attempt.")
          String lockTimeout,
      @Min(1)
          @Max(10_000)
          @Default("30")
          @JsonPropertyDescription(
              "Swap attempts, with jittered backoff between them, before the migration fails"
                  + " with the original table untouched.")
          Integer maxAttempts) {
    static final CutoverSpec DEFAULTS = new CutoverSpec(CutoverMode.Automatic, "2s", 30);

    CutoverSpec withDefaults() {
      return new CutoverSpec(
          mode == null ? DEFAULTS.mode : mode,
          lockTimeout == null ? DEFAULTS.lockTimeout : lockTimeout,
          maxAttempts == null ? DEFAULTS.maxAttempts : maxAttempts);
    }
  }

  /** How long the archived table is kept in sync for a lossless rollback; {@code 0} disables it. */
  public record RollbackSpec(
      @Pattern(DURATION)
          @Default("24h")
          @JsonPropertyDescription(
              "How long the archived table is kept in sync after cut-over, e.g. 24h; 0: dropped"
                  + " at cut-over, and a plan whose reverse is impossible is accepted.")
          String retainFor) {
    static final RollbackSpec DEFAULTS = new RollbackSpec("24h");

    RollbackSpec withDefaults() {
      return new RollbackSpec(retainFor == null ? DEFAULTS.retainFor : retainFor);
    }
  }

  /** Whether a person must approve the exact plan (by hash) before any DDL runs. */
  public record ApprovalSpec(
      @Default("false")
          @JsonPropertyDescription(
              "When true, nothing runs until control.approvedPlanHash equals status.plan.hash.")
          boolean required) {
    static final ApprovalSpec DEFAULTS = new ApprovalSpec(false);
  }

  /** The intent fields people change while a migration runs. */
  public record ControlSpec(
      @Pattern("^(sha256:[0-9a-f]{64})?$")
          @Default("\"\"")
          @JsonPropertyDescription(
              "The plan hash (status.plan.hash) a person approved; a plan that changes needs"
                  + " approval again.")
          String approvedPlanHash,
      @Default("Hold")
          @JsonPropertyDescription("With cutover.mode Manual: Hold keeps syncing, Proceed swaps.")
          CutoverControl cutover,
      @Default("Run")
          @JsonPropertyDescription(
              "Run, Pause, Cancel (before cut-over), Rollback (after cut-over) or Finalize (drop"
                  + " the archived table).")
          Action action) {
    static final ControlSpec DEFAULTS = new ControlSpec("", CutoverControl.Hold, Action.Run);

    ControlSpec withDefaults() {
      return new ControlSpec(
          approvedPlanHash == null ? "" : approvedPlanHash,
          cutover == null ? CutoverControl.Hold : cutover,
          action == null ? Action.Run : action);
    }
  }

  /** When the swap may happen. */
  public enum CutoverMode {
    /** As soon as the shadow is in sync and verified. */
    Automatic,
    /** Only when {@code control.cutover} is {@code Proceed}; the shadow keeps syncing meanwhile. */
    Manual
  }

  /** The manual cut-over gate. */
  public enum CutoverControl {
    /** Keep syncing, do not swap. */
    Hold,
    /** Swap now. */
    Proceed
  }

  /** What the migration should be doing. */
  public enum Action {
    /** Advance towards Completed. */
    Run,
    /** Stop doing work; resume with Run. */
    Pause,
    /** Before cut-over: drop everything the migration built; the original table is untouched. */
    Cancel,
    /** After cut-over: swap back to the original table without losing writes. */
    Rollback,
    /** After cut-over: drop the archived table and stop keeping it in sync. */
    Finalize
  }

  /** What deleting the resource does to the database. */
  public enum DeletionPolicy {
    /** Leave the database as it is. */
    Retain,
    /** Cancel an unfinished migration or finalize a finished one; never roll back. */
    Cleanup
  }
}
