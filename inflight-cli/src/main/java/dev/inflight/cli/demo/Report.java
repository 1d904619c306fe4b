package dev.inflight.cli.demo;

import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.workload.PacedWorkload;
import dev.inflight.workload.StatementLog;
import dev.inflight.workload.StatementLog.Kind;
import java.io.PrintStream;
import java.util.Map;

/** The demo's closing report: what the migration did and what the application saw. */
final class Report {
  /** What PostgreSQL says when a prepared statement's result changed under it. */
  static final String CACHED_PLAN = "cached plan must not change result type";

  private Map<String, Long> forward = Map.of();
  private Map<String, Long> all = Map.of();

  void phases(MigrationRecord done, MigrationRecord rolled) {
    this.forward = done.phaseMillis();
    this.all = rolled.phaseMillis();
  }

  void print(
      PrintStream out,
      MigrationRecord done,
      MigrationRecord rolled,
      PacedWorkload w,
      PacedWorkload unguarded,
      double baselineP99,
      long cutoverWriteMs,
      long rollbackWriteMs,
      boolean ok,
      double totalSeconds) {
    out.println("\n=== Inflight demo report ===");
    out.println("phase durations (migration, then rollback):");
    for (MigrationPhase p : MigrationPhase.values()) {
      Long ms = all.get(p.name());
      if (ms != null) {
        out.printf("  %-16s %8.2f s%n", p, ms / 1000.0);
      }
    }
    long copyMs = forward.getOrDefault(MigrationPhase.Backfilling.name(), 0L);
    out.printf(
        "rows copied:          %,d in %.2f s (%,d rows/s); %,d changed keys replayed; %,d verified%n",
        done.rowsCopied(),
        copyMs / 1000.0,
        copyMs == 0 ? 0 : done.rowsCopied() * 1000 / copyMs,
        done.rowsReplayed(),
        done.rowsVerified());
    StatementLog log = w.log();
    long inserts = log.count(StatementLog.succeeded(Kind.INSERT));
    long updates = log.count(StatementLog.succeeded(Kind.UPDATE));
    long deletes = log.count(StatementLog.succeeded(Kind.DELETE));
    long reads = log.count(StatementLog.succeeded(Kind.READ));
    out.printf(
        "application:          %,d statements (%,d inserts, %,d updates, %,d deletes, %,d reads), %d failed%n",
        inserts + updates + deletes + reads,
        inserts,
        updates,
        deletes,
        reads,
        w.failures().total());
    w.failures().counts().forEach((f, n) -> out.printf("    %d x %s%n", n, f));
    StatementLog.Latency writes = StatementLog.latency(log.select(StatementLog.succeededWrites()));
    out.printf(
        "write latency:        p99 %.1f ms before the migration, p50 %.1f ms / p99 %.1f ms over the whole run%n",
        baselineP99, writes.p50(), writes.p99());
    out.printf(
        "longest write wait:   %d ms during cut-over, %d ms during rollback (as the application measured it)%n",
        cutoverWriteMs, rollbackWriteMs);
    out.printf(
        "exclusive lock held:  %d ms at cut-over (%d attempt(s), %d ms in all), %d ms at rollback (%d attempt(s), %d ms in all)%n",
        done.writesBlockedMillis(),
        done.cutoverAttempts(),
        done.writesBlockedTotalMillis(),
        rolled.rollbackBlockedMillis(),
        rolled.rollbackAttempts(),
        rolled.rollbackBlockedTotalMillis());
    out.printf(
        "prepared SELECT *:    %d failure(s) with autosave=conservative in the pool (the setting the README recommends);%n"
            + "                      %d inside transactions in a pool without it (\"%s\": once per connection and swap, as after ALTER TABLE)%n",
        cachedPlanFailures(w), cachedPlanFailures(unguarded), CACHED_PLAN);
    out.printf(
        "catalog check:        %s after cut-over, %s after rollback%n",
        done.catalogCheck() == null ? "not run" : done.catalogCheck(),
        rolled.catalogCheck() == null ? "not run" : rolled.catalogCheck());
    out.printf(
        "verification:         %s%n",
        ok
            ? "passed (content digests before cut-over, row-by-row and catalog after cut-over and after rollback)"
            : "FAILED");
    out.printf("total demo time:      %.1f s%n", totalSeconds);
  }

  private static long cachedPlanFailures(PacedWorkload w) {
    return w.failures().byMessage().entrySet().stream()
        .filter(e -> e.getKey().contains(CACHED_PLAN))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }
}
