package dev.inflight.operator.resource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.api.MigrationSpec.CutoverControl;
import dev.inflight.api.MigrationSpec.CutoverMode;
import dev.inflight.api.MigrationSpec.DeletionPolicy;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * The schema of {@code spec} as the API server checks it: the fields of {@link MigrationSpec}, with
 * the CRD's validation, defaults, immutability rules and descriptions. The engine never sees this
 * type; {@link ResourceSpecs} maps it to {@link MigrationSpec}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.table == oldSelf.table", message = "spec.table is immutable")
@ValidationRule(value = "self.changes == oldSelf.changes", message = "spec.changes is immutable")
@ValidationRule(
    value =
        "has(self.database) == has(oldSelf.database) && (!has(self.database) || self.database == oldSelf.database)",
    message = "spec.database is immutable")
public record SchemaMigrationSpec(
    @JsonPropertyDescription("Where the credentials are (Kubernetes only).") DatabaseRef database,
    @Required @Size(min = 1, max = 200) @JsonPropertyDescription("schema.table, or table.")
        String table,
    @Required
        @Size(min = 1, max = 100)
        @JsonPropertyDescription("Applied to the new table in order.")
        List<ChangeSchema> changes,
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

  /** {@link MigrationSpec.DatabaseRef}, as the API server checks it. */
  public record DatabaseRef(@Required SecretRef secretRef) {}

  /** {@link MigrationSpec.SecretRef}, as the API server checks it. */
  public record SecretRef(@Required @Size(min = 1, max = 253) String name) {}

  /** {@link MigrationSpec.BackfillSpec}, as the API server checks it. */
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
          String maxReplicaLag) {}

  /** {@link MigrationSpec.CutoverSpec}, as the API server checks it. */
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
          Integer maxAttempts) {}

  /** {@link MigrationSpec.RollbackSpec}, as the API server checks it. */
  public record RollbackSpec(
      @Pattern(DURATION)
          @Default("24h")
          @JsonPropertyDescription(
              "How long the archived table is kept in sync after cut-over, e.g. 24h; 0: dropped"
                  + " at cut-over, and a plan whose reverse is impossible is accepted.")
          String retainFor) {}

  /** {@link MigrationSpec.ApprovalSpec}, as the API server checks it. */
  public record ApprovalSpec(
      @Default("false")
          @JsonPropertyDescription(
              "When true, nothing runs until control.approvedPlanHash equals status.plan.hash.")
          boolean required) {}

  /** {@link MigrationSpec.ControlSpec}, as the API server checks it. */
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
          Action action) {}
}
