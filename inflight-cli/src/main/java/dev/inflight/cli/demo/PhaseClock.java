package dev.inflight.cli.demo;

import dev.inflight.engine.Engine;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.ledger.MigrationRecord;
import java.io.PrintStream;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** Records when each phase began and ended, as seen by the driving loop. */
final class PhaseClock implements Consumer<StepResult> {
  private final Engine engine;
  private final long id;
  private final PrintStream out;
  private final Map<MigrationPhase, long[]> windows = new LinkedHashMap<>();
  private MigrationPhase current;
  private long startedAt = System.nanoTime();

  PhaseClock(Engine engine, long id, PrintStream out) throws SQLException {
    this.engine = engine;
    this.id = id;
    this.out = out;
    this.current = engine.get(id).phase();
    windows.put(current, new long[] {startedAt, 0});
  }

  @Override
  public void accept(StepResult r) {
    long now = System.nanoTime();
    MigrationPhase p = r.phase();
    if (p != current) {
      windows.get(current)[1] = now;
      out.printf("  %-16s %6.1fs  %s%n", current, (now - startedAt) / 1e9, describe(r));
      windows.put(p, new long[] {now, 0});
      current = p;
      startedAt = now;
    }
  }

  private String describe(StepResult r) {
    try {
      MigrationRecord m = engine.get(id);
      return switch (current) {
        case Backfilling ->
            String.format(
                "%,d rows copied, %,d changed keys replayed", m.rowsCopied(), m.rowsReplayed());
        case Syncing ->
            String.format(
                "%d indexes built, %,d rows verified", m.indexesBuilt(), m.rowsVerified());
        case CuttingOver ->
            String.format(
                "swapped in %d attempt(s), writes blocked at most %d ms",
                m.cutoverAttempts(), m.writesBlockedMillis());
        case RollingBack ->
            String.format("swapped back, writes blocked at most %d ms", m.rollbackBlockedMillis());
        case Completed ->
            String.format("%,d writes carried back to the archived table", m.rowsReplayedBack());
        default -> "";
      };
    } catch (SQLException e) {
      return "";
    }
  }

  long start(MigrationPhase p) {
    long[] w = windows.get(p);
    return w == null ? 0 : w[0];
  }

  long end(MigrationPhase p) {
    long[] w = windows.get(p);
    return w == null || w[1] == 0 ? System.nanoTime() : w[1];
  }
}
