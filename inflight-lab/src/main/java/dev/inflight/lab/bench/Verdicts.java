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

  static List<Target> targets(BenchResult r) {
    List<Target> out = new ArrayList<>();
    MethodResult in = r.method(Bench.INFLIGHT);
    MethodResult repack = r.method(Bench.PG_REPACK);
    if (ran(repack)) {
      double ratio = div(in.totalMillis(), repack.totalMillis());
      out.add(
          new Target(
              "Inflight within 1.2x of pg_repack",
              "<= 1.20x (1M rows, 3 indexes)",
              String.format("%.2fx", ratio),
              r.rows() == 1_000_000 ? ratio <= 1.2 : null,
              r.rows() == 1_000_000 ? "" : "the target is set for 1M rows"));
    } else {
      out.add(
          new Target(
              "Inflight within 1.2x of pg_repack",
              "<= 1.20x (1M rows, 3 indexes)",
              "n/a",
              null,
              "pg_repack did not run: " + repack.note()));
    }
    double wait = in.inflight().cutover().max();
    out.add(
        new Target(
            "Longest write wait at cut-over",
            "< 100 ms",
            String.format("%.1f ms", wait),
            wait < 100,
            ""));
    double p99 = div(in.inflight().captureAll().p99(), in.inflight().beforeAll().p99());
    out.add(
        new Target(
            "Latency p99 during capture",
            "<= 1.5x before",
            String.format(
                "%.2fx (%.1f ms vs %.1f ms)",
                p99, in.inflight().captureAll().p99(), in.inflight().beforeAll().p99()),
            p99 <= 1.5,
            ""));
    out.add(
        new Target(
            "Failed application statements",
            "0",
            Long.toString(in.failedStatements()),
            in.failedStatements() == 0,
            ""));
    return out;
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
