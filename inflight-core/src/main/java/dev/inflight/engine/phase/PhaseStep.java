package dev.inflight.engine.phase;

import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import java.sql.SQLException;

/**
 * The work done in one {@link MigrationPhase}: the enum names the state recorded in the ledger, a
 * step is the code that moves a migration out of it. Every step keeps these promises: {@link
 * #observe} changes nothing; {@link #advance} does a bounded unit of work (seconds) that can be
 * repeated, or interrupted at any instant and repeated, with the same result, because its durable
 * effects commit together with the ledger row that records them. The way back depends on which side
 * of the swap the phase is, so a step is one of two kinds: a {@link BeforeCutover} step can be
 * cancelled, an {@link AfterCutover} step rolled back. The way back keeps the same promises as
 * {@link #advance}.
 */
public sealed interface PhaseStep permits PhaseStep.BeforeCutover, PhaseStep.AfterCutover {
  MigrationPhase phase();

  /** Reads the phase's live numbers (backlog sizes); changes nothing. */
  Observation observe(StepContext ctx) throws SQLException;

  /** One bounded, repeatable unit of work towards the next phase. */
  StepResult advance(StepContext ctx) throws SQLException;

  /**
   * A phase before the swap commits: the original table is live, and the migration has written none
   * of its rows.
   */
  non-sealed interface BeforeCutover extends PhaseStep {
    /**
     * Cancel: one bounded, repeatable unit of work that drops what the migration built (the capture
     * triggers, the change log, the shadow table) and records Cancelled. Pre: the swap has not
     * committed. Post: Cancelled with the original table as it was before the migration, or nothing
     * changed (a lock not granted in time) and the step waits to be repeated.
     */
    StepResult cancel(StepContext ctx) throws SQLException;
  }

  /**
   * A phase after the swap committed: the new table is live under the original name, and the
   * archived original is kept in sync from it while rollback is retained.
   */
  non-sealed interface AfterCutover extends PhaseStep {
    /**
     * Rollback: one bounded, repeatable unit of work towards the reverse swap, which gives the
     * original table back its name with every write made after cut-over. Pre: the swap has
     * committed. Post: RollingBack or RolledBack; or, when the archived table cannot take the new
     * rows or the retention is over, nothing changed and the result says why rollback is
     * unavailable.
     */
    StepResult rollback(StepContext ctx) throws SQLException;
  }

  /** Live numbers of a phase. {@code logBacklog} is -1 when the phase has no log. */
  record Observation(long logBacklog) {
    public static final Observation NONE = new Observation(-1);
  }
}
