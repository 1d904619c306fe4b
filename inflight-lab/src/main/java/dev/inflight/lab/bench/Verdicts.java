package dev.inflight.lab.bench;

import dev.inflight.lab.bench.BenchResult.MethodResult;
import dev.inflight.lab.bench.BenchResult.Ratio;
import dev.inflight.lab.bench.BenchResult.Target;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The headline ratios of a run and the targets they are held to. */
final class Verdicts {
  /** Server settings that shape the results, reported with them. */
  static final List<String> SETTINGS =
      List.of(
          "shared_buffers",
          "work_mem",
          "maintenance_work_mem",
          "max_parallel_maintenance_workers",
          "max_wal_size",
          "checkpoint_timeout",
          "fsync",
          "synchronous_commit",
          "wal_level");

  private Verdicts() {}

  static List<Ratio> ratios(BenchResult r) {
    List<Ratio> out = new ArrayList<>();
    MethodResult in = r.method(Bench.INFLIGHT);
    MethodResult rebuild = r.method(Bench.INFLIGHT_REBUILD);
    MethodResult repack = r.method(Bench.PG_REPACK);
    MethodResult physical = r.method(Bench.PHYSICAL);
    MethodResult alter = r.method(Bench.ALTER);
    if (ran(repack)) {
      out.add(
          new Ratio(
              "Inflight total / pg_repack",
              div(in.totalMillis(), repack.totalMillis()),
              "inflight apply wall time (process start to exit)",
              "pg_repack wall time"));
      out.add(
          new Ratio(
              "Inflight migration time / pg_repack",
              div(in.inflight().migrationMillis(), repack.totalMillis()),
              "ledger time from Planning to the swap's commit (no JVM start)",
              "pg_repack wall time"));
      out.add(
          new Ratio(
              "Inflight rebuild only / pg_repack",
              div(rebuild.totalMillis(), repack.totalMillis()),
              "inflight apply of a change that keeps the shape (the same work as pg_repack)",
              "pg_repack wall time"));
    }
    out.add(
        new Ratio(
            "Inflight total / physical copy",
            div(in.totalMillis(), physical.totalMillis()),
            "inflight apply wall time",
            "INSERT ... SELECT plus the primary key and 4 index builds"));
    out.add(
        new Ratio(
            "Inflight longest write wait / ALTER TABLE's",
            div(in.inflight().cutover().max(), alter.duringWrites().max()),
            "longest application statement during cut-over",
            "longest application write during the ALTER TABLE transaction"));
    out.add(
        new Ratio(
            "Latency p99 during capture / before",
            div(in.inflight().captureAll().p99(), in.inflight().beforeAll().p99()),
            "p99 of application statements from Backfilling to cut-over",
            "p99 in the warm-up before the migration"));
    return out;
  }

  /** The goal for the p99 during the copy with the guard on, as a multiple of before. */
  static final double GUARDED_P99 = 1.5;

  /**
   * The targets one table size can judge, recomputed from the measurements whenever the report is
   * written, so results saved by an older benchmark are held to the current goals (with n/a where
   * they lack the measurement). Sizes a target is not set for say n/a and why.
   */
  static List<Target> targets(BenchResult r) {
    List<Target> out = new ArrayList<>();
    MethodResult in = r.method(Bench.INFLIGHT);
    MethodResult repack = r.method(Bench.PG_REPACK);
    MethodResult physical = r.method(Bench.PHYSICAL);
    boolean large = r.rows() == 1_000_000 || r.rows() == 10_000_000;
    String repackGoal = "<= 1.00x at 1M and 10M rows (verification on, JVM start included)";
    if (ran(repack)) {
      double ratio = div(in.totalMillis(), repack.totalMillis());
      out.add(
          new Target(
              "Inflight total / pg_repack",
              repackGoal,
              String.format(
                  "%.2fx (%s vs %s)",
                  ratio, seconds(in.totalMillis()), seconds(repack.totalMillis())),
              large ? ratio <= 1.0 : null,
              large ? "" : "the target is set for 1M and 10M rows"));
    } else {
      out.add(
          new Target(
              "Inflight total / pg_repack",
              repackGoal,
              "n/a",
              null,
              "pg_repack did not run: "
                  + (repack == null ? "not in these results" : repack.note())));
    }
    double toPhysical = div(in.totalMillis(), physical.totalMillis());
    out.add(
        new Target(
            "Inflight total / physical copy",
            "<= 1.10x at 10M rows",
            String.format(
                "%.2fx (%s vs %s)",
                toPhysical, seconds(in.totalMillis()), seconds(physical.totalMillis())),
            r.rows() == 10_000_000 ? toPhysical <= 1.1 : null,
            r.rows() == 10_000_000 ? "" : "the target is set for 10M rows"));
    double wait = in.inflight().cutover().max();
    out.add(
        new Target(
            "Longest write wait at cut-over",
            "< 100 ms (flat in rows: across sizes below)",
            String.format("%.1f ms", wait),
            wait < 100,
            ""));
    out.add(failed(r));
    out.add(
        new Target(
            "JVM heap of the apply process",
            "flat as rows grow (across sizes below)",
            String.format(
                "%d MiB peak in use, %d MiB live after GC",
                in.inflight().peakHeapBytes() >> 20, in.inflight().maxLiveHeapBytes() >> 20),
            null,
            "one size cannot say; judged across sizes"));
    out.add(p99Reported(r));
    out.add(guard(r));
    return out;
  }

  /** No failed application statement in any Inflight run of this size. */
  private static Target failed(BenchResult r) {
    Map<String, Long> each = new LinkedHashMap<>();
    r.methods().stream()
        .filter(m -> m.inflight() != null)
        .forEach(m -> each.put(m.method(), m.failedStatements()));
    if (r.parallelism() != null) {
      r.parallelism().forEach(w -> each.putIfAbsent(w.source(), w.failedStatements()));
    }
    if (r.guarded() != null) {
      each.put(r.guarded().run().method(), r.guarded().run().failedStatements());
    }
    long total = each.values().stream().mapToLong(Long::longValue).sum();
    List<String> parts = new ArrayList<>();
    each.forEach((k, v) -> parts.add(v + " in " + k));
    return new Target(
        "Failed application statements",
        "0 in every Inflight run",
        total + " (" + String.join(", ", parts) + ")",
        total == 0,
        "");
  }

  /** The application's p99 during the migration, for every method that ran. */
  private static Target p99Reported(BenchResult r) {
    List<String> each = new ArrayList<>();
    boolean all = true;
    for (MethodResult m : r.methods()) {
      if (!m.ran()) {
        each.add(m.method() + " skipped");
        continue;
      }
      all &= m.during() != null && m.during().count() > 0;
      each.add(
          String.format(
              "%s %.1f ms (%.2fx before)",
              m.method(), m.during().p99(), div(m.during().p99(), m.before().p99())));
    }
    return new Target(
        "Application p99 during the migration",
        "reported for every method",
        String.join("; ", each),
        all,
        "");
  }

  /** With the latency guard on, the p99 during the copy against before, at its time cost. */
  private static Target guard(BenchResult r) {
    String goal =
        String.format("<= %.1fx before, with the latency guard on; time cost shown", GUARDED_P99);
    if (r.guarded() == null) {
      return new Target(
          "Latency guard: p99 during the copy / before",
          goal,
          "n/a",
          null,
          "no guarded run in these results (--guard-active-sessions 0, or an older bench)");
    }
    MethodResult g = r.guarded().run();
    MethodResult in = r.method(Bench.INFLIGHT);
    double guarded = copyP99Ratio(g);
    return new Target(
        "Latency guard: p99 during the copy / before",
        goal,
        String.format(
            "%.2fx (%.1f ms vs %.1f ms) with %s, at %s against %s unguarded (%.2fx the time);"
                + " unguarded %.2fx",
            guarded,
            copyP99(g),
            g.inflight().beforeAll().p99(),
            guardSettings(r.guarded()),
            seconds(g.totalMillis()),
            seconds(in.totalMillis()),
            div(g.totalMillis(), in.totalMillis()),
            copyP99Ratio(in)),
        guarded <= GUARDED_P99,
        "");
  }

  static String guardSettings(BenchResult.GuardedRun g) {
    List<String> parts = new ArrayList<>();
    if (g.maxActiveSessions() > 0) {
      parts.add("maxActiveSessions " + g.maxActiveSessions());
    }
    if (g.maxRowsPerSecond() > 0) {
      parts.add("maxRowsPerSecond " + g.maxRowsPerSecond());
    }
    return String.join(", ", parts);
  }

  /** The p99 of the application statements that started while the copy ran (Backfilling). */
  static double copyP99(MethodResult m) {
    var byPhase = m.inflight().byPhase();
    var copy = byPhase == null ? null : byPhase.get("Backfilling");
    return copy == null ? Double.NaN : copy.p99();
  }

  static double copyP99Ratio(MethodResult m) {
    return div(copyP99(m), m.inflight().beforeAll().p99());
  }

  /**
   * The targets only several sizes can judge: the write wait at cut-over and the apply process's
   * heap stay flat as the table grows. Flat: the largest size's value at most {@code 2x} (wait) or
   * {@code 1.5x} (heap peak) the smallest size's, with the table 10 to 100 times larger.
   */
  static List<Target> acrossSizes(List<BenchResult> all) {
    List<Target> out = new ArrayList<>();
    if (all.size() < 2) {
      return out;
    }
    BenchResult small = all.get(0);
    BenchResult big = all.get(all.size() - 1);
    List<String> waits = new ArrayList<>();
    List<String> heaps = new ArrayList<>();
    boolean under = true;
    for (BenchResult r : all) {
      var d = r.method(Bench.INFLIGHT).inflight();
      waits.add(String.format("%.1f ms (%s)", d.cutover().max(), rows(r.rows())));
      heaps.add(String.format("%d MiB (%s)", d.peakHeapBytes() >> 20, rows(r.rows())));
      under &= d.cutover().max() < 100;
    }
    var s = small.method(Bench.INFLIGHT).inflight();
    var b = big.method(Bench.INFLIGHT).inflight();
    out.add(
        new Target(
            "Longest write wait at cut-over, flat",
            "< 100 ms at every size, the largest size's <= 2x the smallest's",
            String.join(", ", waits),
            under && b.cutover().max() <= 2 * Math.max(s.cutover().max(), 1.0),
            ""));
    out.add(
        new Target(
            "JVM heap of the apply process, flat",
            "peak in use at the largest size <= 1.5x the smallest's",
            String.join(", ", heaps),
            b.peakHeapBytes() <= 1.5 * s.peakHeapBytes(),
            ""));
    return out;
  }

  static String rows(long n) {
    return n >= 1_000_000 && n % 1_000_000 == 0
        ? n / 1_000_000 + "M"
        : n >= 1000 && n % 1000 == 0 ? n / 1000 + "k" : Long.toString(n);
  }

  private static String seconds(long millis) {
    return String.format("%.2f s", millis / 1000.0);
  }

  private static boolean ran(MethodResult m) {
    return m != null && m.ran();
  }

  static double div(double a, double b) {
    return b == 0 ? Double.NaN : a / b;
  }

  static String scalar(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  static Map<String, String> settings(Connection c) throws SQLException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String s : SETTINGS) {
      out.put(s, scalar(c, "SELECT current_setting('" + s + "')"));
    }
    return out;
  }
}
