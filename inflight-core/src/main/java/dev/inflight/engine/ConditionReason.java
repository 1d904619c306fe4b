package dev.inflight.engine;

/**
 * The fixed reasons the engine gives its conditions; a condition without one of these has the
 * phase's name (or, while a step waits, its {@link StepResult.WaitReason}) as its reason. The names
 * are the {@code reason} strings in the status, which people's alerts match.
 */
public enum ConditionReason {
  /** Ready: the intent is reached. */
  IntentReached,
  /** Reconciling is False: nothing is in progress. */
  Idle,
  /** Reconciling: control.action is Pause. */
  Paused,
  /** Stalled is False. */
  NotStalled,
  /** Stalled: a permanent error; before cut-over everything built is cleaned up. */
  Failed,
  /** Stalled: the migration ended (RolledBack, Cancelled) and the action was set back to Run. */
  Finished,
  /** Stalled: three or more transient errors in a row; the step keeps being retried. */
  RetryingAfterErrors,
  /** Stalled: the requested action is not possible in this phase. */
  ActionRefused,
  /** Stalled: Rollback is asked for, but a row written since cut-over cannot be carried back. */
  RollbackUnavailable,
  /** Planned: the plan is computed. */
  PlanComputed,
  /** Approved: the spec does not require approval. */
  ApprovalNotRequired,
  /** Approved: the plan's hash is approved. */
  PlanApproved,
  /** Approved is False: waiting for control.approvedPlanHash. */
  AwaitingApproval,
  /** CutoverReady: the shadow is in sync and verified, or already live. */
  InSyncAndVerified,
  /** CutoverReady is False. */
  NotInSync,
  /** RollbackAvailable: the archived table is kept in sync with the live one. */
  ArchivedTableInSync,
  /** RollbackAvailable is False: the tables have not been swapped. */
  NotCutOver,
  /** RollbackAvailable is False: rollback.retainFor is 0. */
  RetentionDisabled,
  /** RollbackAvailable is False: a row written since cut-over cannot be carried back. */
  ReverseReplayFailed,
  /** RollbackAvailable is False: rollback.retainFor has passed. */
  RetentionEnded
}
