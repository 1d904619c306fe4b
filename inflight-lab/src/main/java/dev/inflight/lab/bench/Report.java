package dev.inflight.lab.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.inflight.engine.Json;
import dev.inflight.lab.bench.BenchResult.MethodResult;
import dev.inflight.lab.bench.BenchResult.Ratio;
import dev.inflight.lab.bench.BenchResult.Target;
import dev.inflight.workload.StatementLog.Latency;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The results directory: one {@code results-<rows>.json} per table size, and {@code results.md} and
 * the scaling charts rebuilt from all of them, so runs at different sizes (and on different days)
 * add up to one report.
 */
final class Report {
  private final Path dir;
  private final ObjectMapper json = Json.mapper().enable(SerializationFeature.INDENT_OUTPUT);

  Report(Path dir) {
    this.dir = dir;
  }

  void save(BenchResult r) throws IOException {
    Files.createDirectories(dir);
    json.writeValue(dir.resolve("results-" + r.rows() + ".json").toFile(), r);
  }

  List<BenchResult> load() throws IOException {
    List<BenchResult> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p :
          files.filter(f -> f.getFileName().toString().matches("results-\\d+\\.json")).toList()) {
        out.add(json.readValue(p.toFile(), BenchResult.class));
      }
    }
    out.sort(Comparator.comparingLong(BenchResult::rows));
    return out;
  }

  /** Rewrites {@code results.md} and the scaling charts from every saved result. */
  void write(Charts charts) throws IOException {
    List<BenchResult> all = load();
    charts.scaling(all);
    Files.writeString(dir.resolve("results.md"), markdown(all));
  }

  static String markdown(List<BenchResult> all) {
    StringBuilder md = new StringBuilder();
    md.append("# Benchmark results\n\n");
    md.append(
        "Written by `inflight bench` from the `results-<rows>.json` files beside it; see"
            + " [README.md](README.md) for the scenario, the method and what the numbers mean.\n\n");
    if (all.isEmpty()) {
      return md.append("No results yet.\n").toString();
    }
    machine(md, all);
    headline(md, all);
    scaling(md, all);
    for (BenchResult r : all) {
      detail(md, r);
    }
    return md.toString();
  }

  private static void machine(StringBuilder md, List<BenchResult> all) {
    md.append("## Machine and server\n\n");
    md.append("| run | machine | server |\n|---|---|---|\n");
    for (BenchResult r : all) {
      Machine m = r.machine();
      md.append(
          String.format(
              "| %,d rows, %s | %s, %d cores, %.1f GiB RAM; %s (kernel %s, %s); data on %s; %s;"
                  + " load average at start %s | %s; %s |%n",
              r.rows(),
              r.startedAt().substring(0, 16).replace('T', ' '),
              m.cpu(),
              m.cores(),
              m.memoryBytes() / (double) (1L << 30),
              m.os(),
              m.kernel(),
              m.virtualization(),
              m.dataFileSystem(),
              m.java(),
              m.loadAverage(),
              r.server().replaceAll(" on .*", ""),
              settings(r.serverSettings())));
    }
    BenchResult last = all.get(all.size() - 1);
    md.append(
        String.format(
            "%nApplication load in every run: %d writer and %d reader threads at %d statements/s"
                + " each, server-side prepared statements; %.0f s of warm-up measured before each"
                + " method. Inflight's throttle: %s.%n%n",
            last.load().writers(),
            last.load().readers(),
            last.load().ratePerThread(),
            last.load().warmupMillis() / 1000.0,
            last.load().maxRowsPerSecond() == 0
                ? "unthrottled (maxRowsPerSecond: 0, the default)"
                : "maxRowsPerSecond: " + last.load().maxRowsPerSecond()));
  }

  private static String settings(Map<String, String> s) {
    List<String> parts = new ArrayList<>();
    s.forEach((k, v) -> parts.add(k + "=" + v));
    return String.join(", ", parts);
  }

  private static void headline(StringBuilder md, List<BenchResult> all) {
    md.append("## Ratios and targets\n\n");
    md.append("| rows | ratio | value | numerator | denominator |\n|---:|---|---:|---|---|\n");
    for (BenchResult r : all) {
      for (Ratio x : r.ratios()) {
        md.append(
            String.format(
                "| %,d | %s | **%.2fx** | %s | %s |%n",
                r.rows(), x.name(), x.value(), x.numerator(), x.denominator()));
      }
    }
    md.append(
        "\nTargets are judged from the measurements each time the report is written.\n\n"
            + "| rows | target | goal | measured | met |\n|---:|---|---|---|---|\n");
    for (BenchResult r : all) {
      for (Target t : Verdicts.targets(r)) {
        target(md, Verdicts.rows(r.rows()), t);
      }
    }
    List<Target> across = Verdicts.acrossSizes(all);
    if (!across.isEmpty()) {
      md.append(
          "\nAcross sizes:\n\n| rows | target | goal | measured | met |\n|---|---|---|---|---|\n");
      String sizes = String.join(", ", all.stream().map(r -> Verdicts.rows(r.rows())).toList());
      across.forEach(t -> target(md, sizes, t));
    }
    md.append('\n');
  }

  private static void target(StringBuilder md, String rows, Target t) {
    md.append(
        String.format(
            "| %s | %s | %s | %s | %s |%n",
            rows,
            t.name(),
            t.goal(),
            t.measured(),
            t.met() == null
                ? "n/a" + (t.note().isEmpty() ? "" : " (" + t.note() + ")")
                : t.met() ? "yes" : "**no**"));
  }

  private static void scaling(StringBuilder md, List<BenchResult> all) {
    md.append("## Scaling with table size\n\n");
    md.append(
        "Targets: the longest write wait stays under 100 ms and flat, and the JVM heap stays flat,"
            + " as rows grow.\n\n");
    md.append(
        "| rows | Inflight total | pg_repack | physical copy | ALTER TABLE | Inflight longest wait"
            + " at cut-over | same, rebuild only | ALTER TABLE longest write wait | Inflight heap"
            + " peak (in use) | Inflight heap live after GC |\n"
            + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (BenchResult r : all) {
      MethodResult in = r.method(Bench.INFLIGHT);
      md.append(
          String.format(
              "| %,d | %s | %s | %s | %s | %.1f ms | %s | %s | %d MiB | %d MiB |%n",
              r.rows(),
              seconds(in),
              seconds(r.method(Bench.PG_REPACK)),
              seconds(r.method(Bench.PHYSICAL)),
              seconds(r.method(Bench.ALTER)),
              in.inflight().cutover().max(),
              r.method(Bench.INFLIGHT_REBUILD) == null
                  ? "n/a"
                  : String.format(
                      "%.1f ms", r.method(Bench.INFLIGHT_REBUILD).inflight().cutover().max()),
              r.method(Bench.ALTER).ran()
                  ? String.format("%.0f ms", r.method(Bench.ALTER).duringWrites().max())
                  : "n/a",
              in.inflight().peakHeapBytes() >> 20,
              in.inflight().maxLiveHeapBytes() >> 20));
    }
    md.append("\n![Total time by table size](scaling-time.png)\n");
    md.append("![Longest write wait by table size](scaling-wait.png)\n\n");
  }

  private static String seconds(MethodResult m) {
    return m == null || !m.ran() ? "n/a" : String.format("%.2f s", m.totalMillis() / 1000.0);
  }

  private static void detail(StringBuilder md, BenchResult r) {
    md.append(String.format("## %,d rows%n%n", r.rows()));
    md.append(
        "| method | what it does | total | longest write wait | p99 during (all) | p99 before |"
            + " during / before | statements during | failed statements |\n"
            + "|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (MethodResult m : r.methods()) {
      if (!m.ran()) {
        md.append(String.format("| %s | skipped: %s | | | | | | | |%n", m.method(), m.note()));
        continue;
      }
      md.append(
          String.format(
              "| %s | %s | %.2f s | %.1f ms | %.1f ms | %.1f ms | %.2fx | %,d | %d |%n",
              m.method(),
              m.description(),
              m.totalMillis() / 1000.0,
              m.duringWrites().max(),
              m.during().p99(),
              m.before().p99(),
              Verdicts.div(m.during().p99(), m.before().p99()),
              m.during().count(),
              m.failedStatements()));
    }
    for (MethodResult m : r.methods()) {
      if (m.partsMillis() != null && !m.partsMillis().isEmpty()) {
        List<String> parts = new ArrayList<>();
        m.partsMillis().forEach((k, v) -> parts.add(String.format("%s %.2f s", k, v / 1000.0)));
        md.append(String.format("%n%s: %s.%n", m.method(), String.join(", ", parts)));
      }
    }
    for (MethodResult m : r.methods()) {
      if (m.inflight() == null) {
        continue;
      }
      var d = m.inflight();
      md.append(String.format("%n### %s: phases and application latency%n%n", m.method()));
      md.append("| phase | seconds |\n|---|---:|\n");
      md.append(
          String.format(
              "| process start to the ledger row (JVM start, connecting, planning) | %.2f |%n",
              d.startupMillis() / 1000.0));
      d.phaseMillis()
          .forEach(
              (p, ms) -> {
                md.append(String.format("| %s | %.2f |%n", p, ms / 1000.0));
                if (p.equals("Syncing")) {
                  d.syncingMillis()
                      .forEach(
                          (part, pm) ->
                              md.append(
                                  String.format("| &nbsp;&nbsp;%s | %.2f |%n", part, pm / 1000.0)));
                }
              });
      md.append(
          String.format(
              "| **Planning to commit of the swap** | **%.2f** |%n| apply process, start to exit |"
                  + " %.2f |%n%n",
              d.migrationMillis() / 1000.0, m.totalMillis() / 1000.0));
      md.append(
          String.format(
              "Copied %,d rows at %,d rows/s; replayed %,d changed keys; verified %,d rows;"
                  + " cut-over in %d attempt(s), exclusive lock held %d ms; apply exit code %d;"
                  + " JVM heap peak %d MiB in use, %d MiB live after GC.%n%n",
              d.rowsCopied(),
              d.rowsPerSecond(),
              d.rowsReplayed(),
              d.rowsVerified(),
              d.cutoverAttempts(),
              d.lockHeldMillis(),
              d.exitCode(),
              d.peakHeapBytes() >> 20,
              d.maxLiveHeapBytes() >> 20));
      if (d.cutoverAttempts() > 1 && d.cutoverLastError() != null) {
        md.append(
            String.format(
                "The last failed cut-over attempt: `%s`.%n%n",
                d.cutoverLastError().replace('`', '\'')));
      }
      md.append(
          "| application statements | count | failed | p50 | p99 | p99.9 | max |\n"
              + "|---|---:|---:|---:|---:|---:|---:|\n");
      row(md, "before the migration (warm-up, all)", d.beforeAll());
      row(md, "during capture (Backfilling, Syncing; all)", d.captureAll());
      row(md, "during capture (writes)", d.captureWrites());
      row(md, "during cut-over (all)", d.cutover());
      row(md, "whole migration (all)", m.during());
      if (d.byPhase() != null) {
        d.byPhase().forEach((p, l) -> row(md, "in " + p + " (all)", l));
      }
      if (!m.failures().isEmpty()) {
        md.append("\nFailed statements:\n\n");
        m.failures()
            .forEach((k, v) -> md.append("- ").append(v).append(" x `").append(k).append("`\n"));
      }
      if (m.method().equals(Bench.INFLIGHT)) {
        md.append(
            String.format("%n![Timeline of %,d rows](timeline-%d.png)%n", r.rows(), r.rows()));
      }
    }
    md.append('\n');
    WorkerReport.workers(md, r);
    WorkerReport.guarded(md, r);
  }

  private static void row(StringBuilder md, String name, Latency l) {
    md.append(
        String.format(
            "| %s | %,d | %d | %.1f ms | %.1f ms | %.1f ms | %.1f ms |%n",
            name, l.count(), l.failed(), l.p50(), l.p99(), l.p999(), l.max()));
  }
}
