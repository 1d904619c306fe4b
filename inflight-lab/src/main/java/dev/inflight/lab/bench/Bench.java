package dev.inflight.lab.bench;

import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.lab.bench.Baselines.Window;
import dev.inflight.lab.bench.BenchResult.GuardedRun;
import dev.inflight.lab.bench.BenchResult.InflightDetail;
import dev.inflight.lab.bench.BenchResult.LoadSpec;
import dev.inflight.lab.bench.BenchResult.MethodResult;
import dev.inflight.lab.bench.BenchResult.WorkerRun;
import dev.inflight.workload.StatementLog;
import dev.inflight.workload.StatementLog.Latency;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One benchmark run at one table size. A template database holds the table; each method gets an
 * identical copy of it ({@code CREATE DATABASE ... TEMPLATE}) and the same application load, starts
 * after the same warm-up, and is measured from the application's side and its own.
 */
final class Bench {
  static final String INFLIGHT = "inflight";
  static final String INFLIGHT_REBUILD = "inflight-rebuild";
  static final String PHYSICAL = "physical-copy";
  static final String PG_REPACK = "pg_repack";
  static final String ALTER = "alter-table";
  static final String GUARDED = "inflight-guarded";

  private static final String RESHAPE =
      "inflight apply: balance to bigint, add note, add accounts_created";

  /** What {@code inflight apply} prints when the application's load holds the copy back. */
  private static final String LOAD_HOLD = "over backfill.maxActiveSessions";

  private static final String TEMPLATE = "bench_template";
  private static final Duration SETTLE = Duration.ofSeconds(2);
  private static final Duration DRAIN = Duration.ofSeconds(1);

  private final PrintStream out;
  private final Function<String, String> urlFor;
  private final Path repackProgram;
  private final Path work;
  private final LoadSpec load;
  private final Charts charts;
  private final List<Integer> parallelism;
  private final int guardSessions;
  private final long guardRate;

  /** A method under test: runs against the database at the URL and says when it ran. */
  @FunctionalInterface
  private interface Method {
    Window run(String jdbcUrl) throws Exception;
  }

  Bench(
      PrintStream out,
      Function<String, String> urlFor,
      Path repackProgram,
      Path work,
      LoadSpec load,
      Charts charts,
      List<Integer> parallelism,
      int guardSessions,
      long guardRate) {
    this.out = out;
    this.parallelism = List.copyOf(parallelism);
    this.guardSessions = guardSessions;
    this.guardRate = guardRate;
    this.urlFor = urlFor;
    this.repackProgram = repackProgram;
    this.work = work;
    this.load = load;
    this.charts = charts;
  }

  BenchResult run(long rows, Machine machine) throws Exception {
    String startedAt = Instant.now().toString();
    out.printf("%n== %,d rows ==%n", rows);
    createTemplate(rows);
    String repackMissing = Baselines.repackUnavailable(urlFor.apply(TEMPLATE), repackProgram);
    if (repackMissing == null) {
      admin(TEMPLATE, "CREATE EXTENSION IF NOT EXISTS pg_repack");
    }
    List<MethodResult> methods = new ArrayList<>();
    Scenario.Backfill backfill = Scenario.Backfill.defaults(load.maxRowsPerSecond());
    MethodResult reshape =
        inflight(
            INFLIGHT,
            RESHAPE,
            rows,
            "bench-reshape",
            Scenario.migration("bench-reshape", backfill),
            "timeline-" + rows);
    methods.add(reshape);
    methods.add(
        inflight(
            INFLIGHT_REBUILD,
            "inflight apply: a rebuild without a shape change (pg_repack's work)",
            rows,
            "bench-rebuild",
            Scenario.rebuildOnly("bench-rebuild", backfill),
            null));
    methods.add(
        measure(
            PHYSICAL,
            "INSERT INTO copy SELECT ... FROM accounts, then the primary key and 4 indexes",
            rows,
            Baselines::physicalCopy));
    if (repackMissing == null) {
      methods.add(
          measure(
              PG_REPACK,
              "pg_repack --no-order --table public.accounts (rebuilds; cannot change the shape)",
              rows,
              url ->
                  Baselines.pgRepack(
                      url, repackProgram, work.resolve("pg_repack-" + rows + ".log"))));
    } else {
      out.println("pg_repack: skipped: " + repackMissing);
      methods.add(
          new MethodResult(
              PG_REPACK,
              "pg_repack",
              false,
              repackMissing,
              0,
              null,
              null,
              null,
              0,
              Map.of(),
              Map.of(),
              null));
    }
    methods.add(
        measure(
            ALTER,
            "ALTER TABLE ... ALTER COLUMN balance TYPE bigint, ADD COLUMN note ...; CREATE INDEX ..."
                + " in one transaction",
            rows,
            Baselines::alterTable));
    List<WorkerRun> workers = workerRuns(rows, backfill, reshape);
    GuardedRun guarded = guardSessions > 0 || guardRate > 0 ? guarded(rows) : null;
    admin("postgres", "DROP DATABASE IF EXISTS " + TEMPLATE);
    String server;
    Map<String, String> settings;
    try (Connection c = DriverManager.getConnection(urlFor.apply("postgres"))) {
      server = Verdicts.scalar(c, "SELECT version()");
      settings = Verdicts.settings(c);
    }
    BenchResult partial =
        new BenchResult(
            rows, startedAt, machine, server, settings, load, methods, List.of(), List.of(),
            workers, guarded);
    return new BenchResult(
        rows,
        startedAt,
        machine,
        server,
        settings,
        load,
        methods,
        Verdicts.ratios(partial),
        Verdicts.targets(partial),
        workers,
        guarded);
  }

  /**
   * The reshape once per {@code --parallelism} value, each on a fresh copy of the table under the
   * same load. The default parallelism's entry is the {@code inflight} method's own run (the same
   * spec, whose default is that value), not a second run.
   */
  private List<WorkerRun> workerRuns(long rows, Scenario.Backfill backfill, MethodResult reshape)
      throws Exception {
    int byDefault = Scenario.defaultParallelism();
    List<WorkerRun> runs = new ArrayList<>();
    for (int p : parallelism) {
      if (p == byDefault) {
        runs.add(workerRun(p, reshape));
        continue;
      }
      String migration = "bench-reshape-p" + p;
      MethodResult m =
          inflight(
              "inflight-p" + p,
              RESHAPE + ", backfill.parallelism " + p,
              rows,
              migration,
              Scenario.migration(migration, backfill.withParallelism(p)),
              null);
      runs.add(workerRun(p, m));
    }
    return runs;
  }

  private static WorkerRun workerRun(int parallelism, MethodResult m) {
    InflightDetail d = m.inflight();
    return new WorkerRun(
        parallelism,
        m.method(),
        m.totalMillis(),
        d.phaseMillis().getOrDefault(MigrationPhase.Backfilling.name(), 0L),
        d.phaseMillis().getOrDefault(MigrationPhase.Syncing.name(), 0L),
        d.rowsCopied(),
        d.rowsPerSecond(),
        m.failedStatements(),
        d.peakHeapBytes(),
        d.copySessions());
  }

  /** The reshape with the latency guard on, at the default parallelism. */
  private GuardedRun guarded(long rows) throws Exception {
    long rate = guardRate > 0 ? guardRate : load.maxRowsPerSecond();
    Scenario.Backfill guard = new Scenario.Backfill(rate, null, guardSessions);
    MethodResult m =
        inflight(
            GUARDED,
            RESHAPE + ", backfill " + guard.yaml(),
            rows,
            "bench-reshape-guarded",
            Scenario.migration("bench-reshape-guarded", guard),
            "timeline-guarded-" + rows);
    return new GuardedRun(guardSessions, rate, m);
  }

  private void createTemplate(long rows) throws SQLException {
    admin("postgres", "DROP DATABASE IF EXISTS " + TEMPLATE, "CREATE DATABASE " + TEMPLATE);
    long t = System.nanoTime();
    out.printf("creating public.accounts with %,d rows and 3 secondary indexes ... ", rows);
    List<String> sql = new ArrayList<>(Scenario.createTable());
    sql.add(Scenario.load(rows));
    sql.addAll(Scenario.secondaryIndexes());
    sql.add("VACUUM (ANALYZE) accounts");
    admin(TEMPLATE, sql.toArray(String[]::new));
    out.printf("%.1f s%n", (System.nanoTime() - t) / 1e9);
  }

  /** One {@code inflight apply}; {@code timeline} names its chart, or null for none. */
  private MethodResult inflight(
      String name, String description, long rows, String migration, String yaml, String timeline)
      throws Exception {
    InflightRun.Outcome[] outcome = new InflightRun.Outcome[1];
    StatementLog[] log = new StatementLog[1];
    int[] copySessions = new int[1];
    MethodResult base =
        measure(
            name,
            description,
            rows,
            url -> {
              try (CopySessionWatch watch = new CopySessionWatch(url, migration)) {
                watch.start();
                outcome[0] = InflightRun.apply(url, yaml, migration, work);
                copySessions[0] = watch.most();
              }
              return new Window(outcome[0].startNanos(), outcome[0].endNanos());
            },
            l -> log[0] = l);
    InflightRun.Outcome o = outcome[0];
    MigrationRecord m = o.record();
    if (o.exitCode() != 0 || m.phase() != MigrationPhase.Completed) {
      out.println("  inflight apply did not complete (exit " + o.exitCode() + "):\n" + o.output());
    }
    long[] before = {o.startNanos() - load.warmupMillis() * 1_000_000, o.startNanos()};
    long[] capture = {
      o.window(MigrationPhase.Backfilling)[0], o.window(MigrationPhase.CuttingOver)[0]
    };
    long[] cutover = o.window(MigrationPhase.CuttingOver);
    long copyMs = m.phaseMillis().getOrDefault(MigrationPhase.Backfilling.name(), 0L);
    Map<String, Long> phases = new LinkedHashMap<>();
    o.phases().forEach((p, w) -> phases.put(p.name(), (w[1] - w[0]) / 1_000_000));
    InflightDetail detail =
        new InflightDetail(
            o.exitCode(),
            o.migrationMillis(),
            phases,
            m.rowsCopied(),
            copyMs == 0 ? 0 : m.rowsCopied() * 1000 / copyMs,
            m.rowsReplayed(),
            m.rowsVerified(),
            m.cutoverAttempts(),
            m.writesBlockedMillis(),
            StatementLog.latency(log[0].started(before[0], before[1], StatementLog.any())),
            StatementLog.latency(log[0].started(capture[0], capture[1], StatementLog.any())),
            StatementLog.latency(log[0].started(capture[0], capture[1], StatementLog.writes())),
            StatementLog.latency(log[0].overlapping(cutover[0], cutover[1], StatementLog.any())),
            o.peakHeapBytes(),
            o.maxLiveHeapBytes(),
            o.syncingMillis(),
            o.startupMillis(),
            byPhase(log[0], o),
            m.cutoverLastError(),
            (int) o.output().lines().filter(l -> l.contains(LOAD_HOLD)).count(),
            copySessions[0]);
    if (timeline != null) {
      charts.timeline(timeline, name, rows, log[0], o, load.warmupMillis());
    }
    out.printf(
        "  process start to ledger row %d ms, commit to exit %d ms; Syncing: %s%n  started as %s%n",
        o.startupMillis(), o.exitMillis(), o.syncingMillis(), InflightRun.startDescription());
    out.printf(
        "  phases %s; %,d rows/s; cut-over: %d attempt(s), lock held %d ms, longest statement %.1f ms;"
            + " heap peak %d MiB, live %d MiB%n",
        phases,
        detail.rowsPerSecond(),
        detail.cutoverAttempts(),
        detail.lockHeldMillis(),
        detail.cutover().max(),
        detail.peakHeapBytes() >> 20,
        detail.maxLiveHeapBytes() >> 20);
    if (detail.cutoverAttempts() > 1) {
      out.println("  last failed cut-over attempt: " + detail.cutoverLastError());
    }
    return new MethodResult(
        base.method(),
        base.description(),
        base.ran(),
        base.note(),
        base.totalMillis(),
        base.before(),
        base.during(),
        base.duringWrites(),
        base.failedStatements(),
        base.failures(),
        base.partsMillis(),
        detail);
  }

  /** The application's statements by the phase they started in (cut-over: that overlapped it). */
  private static Map<String, Latency> byPhase(StatementLog log, InflightRun.Outcome o) {
    Map<String, Latency> out = new LinkedHashMap<>();
    o.phases()
        .forEach(
            (p, w) ->
                out.put(
                    p.name(),
                    StatementLog.latency(
                        p == MigrationPhase.CuttingOver
                            ? log.overlapping(w[0], w[1], StatementLog.any())
                            : log.started(w[0], w[1], StatementLog.any()))));
    return out;
  }

  private MethodResult measure(String name, String description, long rows, Method method)
      throws Exception {
    return measure(name, description, rows, method, l -> {});
  }

  private MethodResult measure(
      String name, String description, long rows, Method method, Consumer<StatementLog> logSink)
      throws Exception {
    String db = "bench_" + name.replaceAll("[^a-z0-9]", "_");
    admin(
        "postgres",
        "DROP DATABASE IF EXISTS " + db,
        "CREATE DATABASE " + db + " TEMPLATE " + TEMPLATE);
    admin(db, "CHECKPOINT");
    String url = urlFor.apply(db);
    out.printf("%-17s ", name + ":");
    Window w;
    StatementLog log;
    Map<String, Long> failures;
    try (AccountsApplication app =
        new AccountsApplication(url, load.writers(), load.readers(), load.ratePerThread(), rows)) {
      app.start();
      Thread.sleep(SETTLE.toMillis() + load.warmupMillis());
      w = method.run(url);
      Thread.sleep(DRAIN.toMillis());
      log = app.log();
      failures = app.failures().byMessage();
    }
    admin("postgres", "DROP DATABASE IF EXISTS " + db);
    long from = w.startNanos() - load.warmupMillis() * 1_000_000;
    Latency before = StatementLog.latency(log.started(from, w.startNanos(), StatementLog.any()));
    Latency during =
        StatementLog.latency(log.overlapping(w.startNanos(), w.endNanos(), StatementLog.any()));
    Latency duringWrites =
        StatementLog.latency(log.overlapping(w.startNanos(), w.endNanos(), StatementLog.writes()));
    long failed = log.count(e -> !e.ok());
    out.printf(
        "%8.2f s   longest write %8.1f ms   p99 %6.1f ms (before %5.1f ms)   %d failed%n",
        w.millis() / 1000.0, duringWrites.max(), during.p99(), before.p99(), failed);
    logSink.accept(log);
    return new MethodResult(
        name,
        description,
        true,
        null,
        w.millis(),
        before,
        during,
        duringWrites,
        failed,
        failures,
        w.parts(),
        null);
  }

  private void admin(String database, String... sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(urlFor.apply(database));
        Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }
}
