package dev.inflight.lab.bench;

import dev.inflight.api.Durations;
import dev.inflight.cli.ExitCodes;
import dev.inflight.lab.bench.BenchResult.LoadSpec;
import dev.inflight.workload.EmbeddedBinaries;
import dev.inflight.workload.PgCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code inflight bench}: Inflight against pg_repack, a physical copy and ALTER TABLE. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Benchmark a migration under application load against pg_repack, a physical copy and"
            + " ALTER TABLE, on the same table and load; write a Markdown report and PNG charts.")
public final class BenchCommand implements Callable<Integer> {
  /** Settings of the server the benchmark starts; the report lists them with the results. */
  static final Map<String, String> SERVER_SETTINGS =
      Map.of(
          "shared_buffers", "1GB",
          "max_wal_size", "8GB",
          "checkpoint_timeout", "30min",
          "max_connections", "100");

  @Spec CommandSpec spec;

  @Option(
      names = "--rows",
      split = ",",
      defaultValue = "1000000",
      description = "table sizes, comma-separated (default ${DEFAULT-VALUE}); e.g. 100000,1000000")
  List<Long> rows;

  @Option(
      names = "--pg-bin",
      paramLabel = "DIR",
      description =
          "start the server from this PostgreSQL bin directory (default: the newest"
              + " /usr/lib/postgresql/*/bin with pg_repack, else the embedded server)")
  Path pgBin;

  @Option(names = "--embedded", description = "use the embedded server (pg_repack is skipped)")
  boolean embedded;

  @Option(
      names = "--jdbc-url",
      paramLabel = "URL",
      description = "use this existing server instead (needs CREATEDB); its database is unused")
  String jdbcUrl;

  @Option(
      names = "--pg-repack",
      paramLabel = "PROGRAM",
      description = "the pg_repack program (default: beside the server binaries, else on PATH)")
  Path pgRepack;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "docs/benchmarks",
      description = "where results, report and charts go (default ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--writers", defaultValue = "4", description = "application writer threads")
  int writers;

  @Option(names = "--readers", defaultValue = "2", description = "application reader threads")
  int readers;

  @Option(
      names = "--rate",
      defaultValue = "100",
      description = "statements per second per application thread")
  int rate;

  @Option(
      names = "--warmup",
      defaultValue = "5s",
      description = "load before each method, measured as 'before'")
  String warmup;

  @Option(
      names = "--max-rows-per-second",
      defaultValue = "0",
      description = "Inflight's backfill.maxRowsPerSecond (default 0: unthrottled)")
  long maxRowsPerSecond;

  @Option(
      names = "--parallelism",
      split = ",",
      defaultValue = "1,2,4",
      paramLabel = "N",
      description =
          "after the methods, the reshape once per backfill.parallelism in this list, each on a"
              + " fresh copy of the table (default ${DEFAULT-VALUE}; the default parallelism's"
              + " entry is the inflight method's own run)")
  List<Integer> parallelism;

  @Option(
      names = "--guard-active-sessions",
      defaultValue = "2",
      paramLabel = "N",
      description =
          "the guarded run: the reshape again with backfill.maxActiveSessions N (default"
              + " ${DEFAULT-VALUE}; 0 with --guard-rows-per-second 0: no guarded run)")
  int guardActiveSessions;

  @Option(
      names = "--guard-rows-per-second",
      defaultValue = "0",
      paramLabel = "R",
      description =
          "the guarded run's backfill.maxRowsPerSecond (default ${DEFAULT-VALUE}: that of"
              + " --max-rows-per-second)")
  long guardRowsPerSecond;

  @Option(
      names = "--report-only",
      description = "only rebuild results.md and the scaling charts from the results in --out")
  boolean reportOnly;

  @Override
  public Integer call() throws Exception {
    if (reportOnly) {
      new Report(out).write(new Charts(out));
      System.out.println("report: " + out.resolve("results.md"));
      return ExitCodes.OK;
    }
    if (rows.stream().anyMatch(n -> n < 1000)
        || writers < 1
        || readers < 0
        || rate < 1
        || maxRowsPerSecond < 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--rows must each be at least 1000, --writers at least 1, --rate at least 1");
    }
    if (parallelism.stream().anyMatch(p -> p < 1 || p > 64)
        || parallelism.stream().distinct().count() < parallelism.size()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--parallelism must list distinct worker counts from 1 to 64 (backfill.parallelism's"
              + " range), e.g. 1,2,4; got "
              + parallelism);
    }
    if (guardActiveSessions < 0 || guardRowsPerSecond < 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--guard-active-sessions and --guard-rows-per-second must be 0 (off) or more");
    }
    LoadSpec load =
        new LoadSpec(
            writers,
            readers,
            rate,
            Durations.parse("--warmup", warmup).toMillis(),
            maxRowsPerSecond);
    Path work = Files.createTempDirectory("inflight-bench-");
    Files.createDirectories(out);
    Charts charts = new Charts(out);
    Report report = new Report(out);
    try (Server server = server(work)) {
      System.out.println(server.describe());
      for (long n : rows) {
        Bench bench =
            new Bench(
                System.out,
                server.urls(),
                server.repack(),
                work,
                load,
                charts,
                parallelism,
                guardActiveSessions,
                guardRowsPerSecond);
        BenchResult r = bench.run(n, Machine.describe(server.dataDirectory()));
        report.save(r);
        report.write(charts);
        System.out.println();
        r.ratios().forEach(x -> System.out.printf("  %-45s %.2fx%n", x.name(), x.value()));
        r.parallelism()
            .forEach(
                w ->
                    System.out.printf(
                        "  parallelism %-2d %8.2f s total, copy %7.2f s, %,d rows/s (%,d per"
                            + " worker)%n",
                        w.parallelism(),
                        w.totalMillis() / 1000.0,
                        w.backfillingMillis() / 1000.0,
                        w.copyRowsPerSecond(),
                        w.rowsPerSecondPerWorker()));
        r.targets()
            .forEach(
                t ->
                    System.out.printf(
                        "  target %-45s %-30s %s%n",
                        t.name() + ":",
                        t.measured() + " (goal " + t.goal() + ")",
                        t.met() == null ? "n/a" : t.met() ? "met" : "MISSED"));
      }
    } catch (Exception e) {
      System.err.println("bench: logs of the run are kept in " + work);
      throw e;
    }
    PgCluster.deleteTree(work);
    System.out.println("\nreport: " + out.resolve("results.md"));
    return ExitCodes.OK;
  }

  private Server server(Path work) throws IOException {
    if (jdbcUrl != null) {
      return new Server(null, url -> withDatabase(jdbcUrl, url), repackOnPath(null), null);
    }
    Path bin = embedded ? null : pgBin != null ? pgBin : distributionWithRepack().orElse(null);
    if (bin == null) {
      bin = EmbeddedBinaries.onClassPath().bin();
    }
    PgCluster cluster = PgCluster.create(bin, work, SERVER_SETTINGS);
    return new Server(cluster, cluster::jdbcUrl, repackOnPath(cluster.tool("pg_repack")), bin);
  }

  private Path repackOnPath(Path beside) {
    if (pgRepack != null) {
      return pgRepack;
    }
    if (beside != null && Files.isExecutable(beside)) {
      return beside;
    }
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .map(d -> Path.of(d, "pg_repack"))
        .filter(Files::isExecutable)
        .findFirst()
        .orElse(null);
  }

  /** The newest {@code /usr/lib/postgresql/<major>/bin} that has pg_repack beside it. */
  static Optional<Path> distributionWithRepack() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> majors = Files.list(root)) {
      return majors
          .filter(d -> d.getFileName().toString().matches("\\d+"))
          .sorted(
              Comparator.comparingInt((Path d) -> Integer.parseInt(d.getFileName().toString()))
                  .reversed())
          .map(d -> d.resolve("bin"))
          .filter(
              b ->
                  Files.isExecutable(b.resolve("pg_repack"))
                      && Files.isExecutable(b.resolve("pg_ctl")))
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static String withDatabase(String url, String database) {
    int slash = url.indexOf('/', "jdbc:postgresql://".length());
    int query = url.indexOf('?');
    String base = slash < 0 ? (query < 0 ? url : url.substring(0, query)) : url.substring(0, slash);
    return base + "/" + database + (query < 0 ? "" : url.substring(query));
  }

  /** Where the benchmark runs. */
  private record Server(PgCluster cluster, Function<String, String> urls, Path repack, Path bin)
      implements AutoCloseable {
    String describe() {
      return cluster == null
          ? "server: the existing server at the given URL"
          : "server: a private PostgreSQL from "
              + bin
              + " on port "
              + cluster.port()
              + (repack == null ? "" : "; pg_repack: " + repack);
    }

    Path dataDirectory() {
      return cluster == null ? null : cluster.dataDirectory();
    }

    @Override
    public void close() throws IOException {
      if (cluster != null) {
        cluster.close();
      }
    }
  }
}
