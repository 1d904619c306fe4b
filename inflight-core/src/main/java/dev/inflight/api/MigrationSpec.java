package dev.inflight.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a team asks for: one table, an ordered list of changes, and how to pace, gate and undo the
 * migration. Absent sections take their documented defaults; present but invalid values are
 * rejected by {@link SpecValidator}, never coerced.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationSpec(
    DatabaseRef database,
    String table,
    List<Change> changes,
    BackfillSpec backfill,
    CutoverSpec cutover,
    RollbackSpec rollback,
    ApprovalSpec approval,
    ControlSpec control,
    DeletionPolicy deletionPolicy) {
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

  /**
   * Where the database credentials come from when running in Kubernetes: a Secret, and what the
   * spec adds to it or sets instead (the host for a Zalando Secret, which has none; the TLS mode).
   * A field set here wins over the Secret's.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DatabaseRef(
      SecretRef secretRef, String host, Integer port, String dbname, String sslmode) {
    /** Only a Secret, as before the other fields existed. */
    public DatabaseRef(SecretRef secretRef) {
      this(secretRef, null, null, null, null);
    }
  }

  /**
   * A Secret in the resource's namespace, as a PostgreSQL operator writes it (CloudNativePG,
   * Crunchy PGO, Zalando) or with the keys {@code url}, {@code username}, {@code password}; {@code
   * keys} names the keys of any other Secret.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SecretRef(String name, SecretKeys keys) {
    public SecretRef(String name) {
      this(name, null);
    }
  }

  /**
   * Which key of the Secret holds which part of the connection. With a mapping, only the keys it
   * names are read.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SecretKeys(
      String jdbcUrl,
      String uri,
      String host,
      String port,
      String dbname,
      String username,
      String password) {}

  /**
   * Pacing of the copy. Durations are strings such as {@code 500ms}, {@code 10s}, {@code 24h};
   * sizes are strings such as {@code 512MB}, {@code 1GB} (see {@link Sizes}).
   *
   * <p>The throttles that protect what the application relies on: {@code maxReplicaLag} (a
   * standby's {@code write_lag}, {@code flush_lag} and {@code replay_lag}; {@code 0} turns the
   * standby check off) with {@code maxReplicaLagBytes} (the WAL a standby has not replayed, which
   * keeps counting when the lag times go stale or NULL; {@code 0}: times only); {@code
   * maxSlotRetainedWal} (the WAL a replication slot keeps on the primary's disk; {@code 0}: off);
   * and {@code maxActiveSessions} (the application's sessions running or waiting in the database;
   * {@code 0}: off).
   */
  public record BackfillSpec(
      Integer batchSize,
      Integer parallelism,
      String targetBatchTime,
      Long maxRowsPerSecond,
      String maxReplicaLag,
      String maxReplicaLagBytes,
      String maxSlotRetainedWal,
      Integer maxActiveSessions) {
    static final BackfillSpec DEFAULTS =
        new BackfillSpec(10_000, 2, "500ms", 0L, "10s", "1GB", "1GB", 0);

    BackfillSpec withDefaults() {
      return new BackfillSpec(
          batchSize == null ? DEFAULTS.batchSize : batchSize,
          parallelism == null ? DEFAULTS.parallelism : parallelism,
          targetBatchTime == null ? DEFAULTS.targetBatchTime : targetBatchTime,
          maxRowsPerSecond == null ? DEFAULTS.maxRowsPerSecond : maxRowsPerSecond,
          maxReplicaLag == null ? DEFAULTS.maxReplicaLag : maxReplicaLag,
          maxReplicaLagBytes == null ? DEFAULTS.maxReplicaLagBytes : maxReplicaLagBytes,
          maxSlotRetainedWal == null ? DEFAULTS.maxSlotRetainedWal : maxSlotRetainedWal,
          maxActiveSessions == null ? DEFAULTS.maxActiveSessions : maxActiveSessions);
    }
  }

  /** How the swap happens: automatically, or only after {@code control.cutover: Proceed}. */
  public record CutoverSpec(CutoverMode mode, String lockTimeout, Integer maxAttempts) {
    static final CutoverSpec DEFAULTS = new CutoverSpec(CutoverMode.Automatic, "2s", 30);

    CutoverSpec withDefaults() {
      return new CutoverSpec(
          mode == null ? DEFAULTS.mode : mode,
          lockTimeout == null ? DEFAULTS.lockTimeout : lockTimeout,
          maxAttempts == null ? DEFAULTS.maxAttempts : maxAttempts);
    }
  }

  /** How long the archived table is kept in sync for a lossless rollback; {@code 0} disables it. */
  public record RollbackSpec(String retainFor) {
    static final RollbackSpec DEFAULTS = new RollbackSpec("24h");

    RollbackSpec withDefaults() {
      return new RollbackSpec(retainFor == null ? DEFAULTS.retainFor : retainFor);
    }
  }

  /** Whether a person must approve the exact plan (by hash) before any DDL runs. */
  public record ApprovalSpec(boolean required) {
    static final ApprovalSpec DEFAULTS = new ApprovalSpec(false);
  }

  /** The intent fields people change while a migration runs. */
  public record ControlSpec(String approvedPlanHash, CutoverControl cutover, Action action) {
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
