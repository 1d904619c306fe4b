package dev.inflight.engine;

/** The phases of a migration, in the order of DESIGN.md. */
public enum MigrationPhase {
  /** The spec is checked against the catalog and the plan computed; nothing is changed. */
  Planning(false),
  /** Waiting until the plan's hash is approved. */
  AwaitingApproval(false),
  /** The shadow table, the change log and the capture triggers are being created. */
  CreatingShadow(false),
  /** Rows are copied in primary-key order; changed keys are replayed between batches. */
  Backfilling(false),
  /** Secondary indexes, statistics, replay until the backlog is small, verification. */
  Syncing(false),
  /** In sync and verified; waiting for {@code control.cutover: Proceed}. */
  AwaitingCutover(false),
  /** The swap is being attempted under a bounded exclusive lock. */
  CuttingOver(false),
  /** The new table is live; the archived table is kept in sync for rollback. */
  Completed(false),
  /** The swap is being reversed. */
  RollingBack(false),
  /** The original table is live again, with every write made after cut-over. */
  RolledBack(true),
  /** Stopped before cut-over; everything the migration built is gone. */
  Cancelled(true),
  /** The archived table and the reverse capture are dropped; rollback is no longer possible. */
  Finalized(true),
  /** Stopped by an error that retrying cannot fix; the original table is serving and intact. */
  Failed(true);

  private final boolean terminal;

  MigrationPhase(boolean terminal) {
    this.terminal = terminal;
  }

  /** No step will change a migration in this phase again. */
  public boolean terminal() {
    return terminal;
  }

  /** True before the swap has committed: Cancel is possible, Rollback is not. */
  public boolean beforeCutover() {
    return ordinal() <= CuttingOver.ordinal();
  }
}
