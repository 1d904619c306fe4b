package dev.inflight.api;

import dev.inflight.api.MigrationStatus.Condition;

/**
 * The types of a migration's conditions, in the order the status lists them; all seven are always
 * present. Each constant's name is the {@code type} string in the status, which kstatus, Flux and
 * the Argo CD health check read: renaming a constant changes the API.
 */
public enum ConditionType {
  /** The intent is reached: Completed or Finalized for Run, else the phase the action leads to. */
  Ready,
  /** Work towards the intent goes on, including a wait for a person at a gate. */
  Reconciling,
  /** The migration cannot go on without help. */
  Stalled,
  /** The plan is computed; the message has its hash. */
  Planned,
  /** No approval is needed, or the plan's hash is approved. */
  Approved,
  /** The shadow is in sync and verified, or already live. */
  CutoverReady,
  /** A rollback now would be lossless. */
  RollbackAvailable;

  /** True when {@code condition} is of this type. */
  public boolean typeOf(Condition condition) {
    return name().equals(condition.type());
  }
}
