package dev.inflight.lab.bench;

import dev.inflight.lab.bench.BenchResult.GuardedRun;
import dev.inflight.lab.bench.BenchResult.MethodResult;
import dev.inflight.lab.bench.BenchResult.WorkerRun;
import java.util.Comparator;
import java.util.List;

/**
 * The report's sections on the copy's workers and the latency guard, per table size: the reshape at
 * each {@code backfill.parallelism} with an extrapolation to a larger server, labelled as one, and
 * the guarded run beside the unguarded one. Results written before these runs existed say so.
 */
final class WorkerReport {
  /** The database server the extrapolation is for. */
  static final int SERVER_CORES = 16;

  private WorkerReport() {}

  static void workers(StringBuilder md, BenchResult r) {
    md.append("### Scaling with workers\n\n");
    List<WorkerRun> runs = r.parallelism();
    if (runs == null || runs.isEmpty()) {
      md.append(
          "Not measured in these results (written by an `inflight bench` without the runs at"
              + " several `backfill.parallelism`).\n\n");
      return;
    }
    runs = runs.stream().sorted(Comparator.comparingInt(WorkerRun::parallelism)).toList();
    WorkerRun base = runs.get(0);
    md.append(
        String.format(
            "The reshape at each `backfill.parallelism`, each on a fresh copy of the table under"
                + " the same load; speed-ups are against parallelism %d. This machine has %d"
                + " cores, shared with the application's load and the server's other work.%n%n",
            base.parallelism(), r.machine().cores()));
    md.append(
        "| parallelism | sessions seen copying | run | total | copy phase (Backfilling) | Syncing |"
            + " copy rows/s | rows/s per worker | copy speed-up | total speed-up | failed"
            + " statements |\n"
            + "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (WorkerRun w : runs) {
      md.append(
          String.format(
              "| %d | %s | %s | %.2f s | %.2f s | %.2f s | %,d | %,d | %.2fx | %.2fx | %d |%n",
              w.parallelism(),
              w.copySessions() == 0 ? "n/a" : Integer.toString(w.copySessions()),
              w.source(),
              w.totalMillis() / 1000.0,
              w.backfillingMillis() / 1000.0,
              w.syncingMillis() / 1000.0,
              w.copyRowsPerSecond(),
              w.rowsPerSecondPerWorker(),
              Verdicts.div(base.backfillingMillis(), w.backfillingMillis()),
              Verdicts.div(base.totalMillis(), w.totalMillis()),
              w.failedStatements()));
    }
    md.append(
        "\n\"Sessions seen copying\": the most of the migration's sessions seen running a"
            + " statement at once during the copy (sampled every 25 ms; n/a when the copy was too"
            + " short). Where it is below the parallelism over a copy of 1 s or more, the engine"
            + " opened fewer workers than asked (it never takes more sessions than its pool can"
            + " spare), and the rate per worker divides by the sessions seen.\n\n");
    extrapolation(md, r, base);
  }

  /**
   * The copy on a {@value #SERVER_CORES}-core server, from the per-worker rate of the fewest
   * workers measured (parallelism 1 when it ran: a worker with a core of this machine to itself).
   */
  private static void extrapolation(StringBuilder md, BenchResult r, WorkerRun base) {
    long perWorker = base.rowsPerSecondPerWorker();
    if (perWorker <= 0) {
      md.append("No extrapolation: the copy's rate was not measured.\n\n");
      return;
    }
    double copy = r.rows() / (double) (perWorker * SERVER_CORES);
    double rest = (base.totalMillis() - base.backfillingMillis()) / 1000.0;
    md.append(
        String.format(
            "**Extrapolation, not a measurement**: a %d-core database server copying with"
                + " `backfill.parallelism: %d`. Assumed: each worker keeps the rate per worker"
                + " measured here with %d worker(s) (%,d rows/s), because the copy is bound by one core per"
                + " worker and each worker has a core of its own; the disks and the WAL keep up"
                + " with %d times this rate (%,d rows/s); the application's load takes no core"
                + " the copy needs. On these assumptions the copy of %,d rows takes %.2f s"
                + " (measured: %.2f s with %d worker(s)). Everything else kept at its measured"
                + " %.2f s (JVM start, planning, the key and index builds, verification, cut-over;"
                + " on such a server the index builds and verification also run side by side, so"
                + " this overstates them), the total would be about %.2f s. Past the point where"
                + " the workers outnumber the free cores, or the disks are saturated, the rate per"
                + " worker falls, as the table above shows for parallelism above %d here.%n%n",
            SERVER_CORES,
            SERVER_CORES,
            base.workers(),
            perWorker,
            SERVER_CORES,
            perWorker * SERVER_CORES,
            r.rows(),
            copy,
            base.backfillingMillis() / 1000.0,
            base.workers(),
            rest,
            rest + copy,
            r.machine().cores()));
  }

  static void guarded(StringBuilder md, BenchResult r) {
    md.append("### Latency guard\n\n");
    GuardedRun g = r.guarded();
    if (g == null) {
      md.append(
          "Not measured in these results (no guarded run: `--guard-active-sessions 0`, or written"
              + " by an older `inflight bench`).\n\n");
      return;
    }
    MethodResult in = r.method(Bench.INFLIGHT);
    MethodResult gr = g.run();
    md.append(
        "The reshape at the default parallelism, without and with the guard, each on a fresh copy"
            + " of the table under the same load. \"During the copy\": application statements"
            + " that started in Backfilling; \"before\": the warm-up.\n\n");
    md.append(
        "| run | guard | total | copy phase | p99 before | p99 during the copy | copy / before |"
            + " p99 during capture | longest write at cut-over | held by the load | failed"
            + " statements |\n"
            + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    row(md, in, "none");
    row(md, gr, Verdicts.guardSettings(g));
    md.append(
        String.format(
            "%nTime cost of the guard: %+.2f s (%.2fx the unguarded total), the copy phase %.2fx"
                + " as long.%n%n![Timeline of the guarded run at %,d rows](timeline-guarded-%d.png)%n%n",
            (gr.totalMillis() - in.totalMillis()) / 1000.0,
            Verdicts.div(gr.totalMillis(), in.totalMillis()),
            Verdicts.div(copyMillis(gr), copyMillis(in)),
            r.rows(),
            r.rows()));
  }

  private static void row(StringBuilder md, MethodResult m, String guard) {
    var d = m.inflight();
    md.append(
        String.format(
            "| %s | %s | %.2f s | %.2f s | %.1f ms | %.1f ms | %.2fx | %.1f ms | %.1f ms | %s | %d"
                + " |%n",
            m.method(),
            guard,
            m.totalMillis() / 1000.0,
            copyMillis(m) / 1000.0,
            d.beforeAll().p99(),
            Verdicts.copyP99(m),
            Verdicts.copyP99Ratio(m),
            d.captureAll().p99(),
            d.cutover().max(),
            guard.equals("none") ? "" : d.loadHolds() + " time(s)",
            m.failedStatements()));
  }

  private static long copyMillis(MethodResult m) {
    return m.inflight().phaseMillis().getOrDefault("Backfilling", 0L);
  }
}
