package dev.inflight.engine;

import java.time.Duration;

/** What one bounded step achieved, and when the caller should call again. */
public sealed interface StepResult {
  /** The phase the migration is in after the step. */
  MigrationPhase phase();

  /** Work was done and more remains: call again now. */
  record Progress(MigrationPhase phase, String message) implements StepResult {}

  /**
   * Nothing more can be done until time passes or a person acts: call again after the delay. A
   * {@link WaitReason#Throttled} wait says which limit holds it back in {@code throttle}; every
   * other wait has none.
   */
  record Waiting(
      MigrationPhase phase,
      WaitReason reason,
      Duration retryAfter,
      String message,
      Throttle throttle)
      implements StepResult {
    public Waiting {
      if ((reason == WaitReason.Throttled) != (throttle != null)) {
        throw new IllegalArgumentException("a Throttled wait, and only one, names its throttle");
      }
    }

    /** A wait that is not a throttle. */
    public Waiting(MigrationPhase phase, WaitReason reason, Duration retryAfter, String message) {
      this(phase, reason, retryAfter, message, null);
    }

    /** A wait for the rate or lag limit {@code throttle}. */
    public static Waiting throttled(
        MigrationPhase phase, Throttle throttle, Duration retryAfter, String message) {
      return new Waiting(phase, WaitReason.Throttled, retryAfter, message, throttle);
    }
  }

  /** The migration reached where its intent leads (Completed, or a terminal phase). */
  record Done(MigrationPhase phase, String message) implements StepResult {}

  /** The migration failed; the original table is serving and intact. */
  record Failed(MigrationPhase phase, String reason) implements StepResult {}

  /** Why a step is waiting; each maps to a condition reason people can act on. */
  enum WaitReason {
    /** The plan's hash must be approved. */
    AwaitingApproval,
    /** Manual cut-over: set control.cutover to Proceed. */
    AwaitingCutover,
    /** control.action is Pause. */
    Paused,
    /** Sessions hold locks that would make the exclusive lock wait, or the lock timed out. */
    LockContention,
    /** Throttled by maxRowsPerSecond, a lagging standby or slot, or the application's load. */
    Throttled,
    /** The requested action is not possible in this phase. */
    ActionRefused,
    /** Another process is running a step of this migration. */
    Busy,
    /** A transient error; the step will be retried. */
    RetryingAfterError,
    /** Rollback is not possible now; see the message. */
    RollbackUnavailable
  }

  /** The limit a {@link WaitReason#Throttled} wait keeps; the metrics' throttle reasons. */
  enum Throttle {
    /** {@code backfill.maxRowsPerSecond}: the copy or verification read its share of rows. */
    MaxRowsPerSecond,
    /**
     * {@code backfill.maxReplicaLag} or {@code maxReplicaLagBytes}: a standby is further behind
     * than allowed, in time or in WAL not replayed.
     */
    ReplicaLag,
    /** {@code backfill.maxSlotRetainedWal}: a replication slot keeps more WAL than allowed. */
    SlotRetainedWal,
    /** {@code backfill.maxActiveSessions}: more application sessions are busy than allowed. */
    ApplicationLoad
  }
}
