package dev.inflight.engine.phase;

import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import java.sql.SQLException;

/**
 * One phase of a migration. Every implementation keeps three promises: {@link #observe} changes
 * nothing; {@link #advance} does a bounded unit of work (seconds) that can be repeated, or
 * interrupted at any instant and repeated, with the same result, because its durable effects commit
 * together with the ledger row that records them; {@link #rollback} moves the migration back
 * towards the original table (Cancel before cut-over, the reverse swap after it).
 */
public interface Phase {
  MigrationPhase phase();

  /** Reads the phase's live numbers (backlog sizes); changes nothing. */
  Observation observe(StepContext ctx) throws SQLException;

  /** One bounded, repeatable unit of work towards the next phase. */
  StepResult advance(StepContext ctx) throws SQLException;

  /** One bounded, repeatable unit of work back towards the original table. */
  StepResult rollback(StepContext ctx) throws SQLException;

  /** Live numbers of a phase. {@code logBacklog} is -1 when the phase has no log. */
  record Observation(long logBacklog) {
    public static final Observation NONE = new Observation(-1);
  }
}
