package dev.inflight.lab.chaos;

import dev.inflight.cli.ExitCodes;
import dev.inflight.lab.generative.Generative;
import dev.inflight.lab.generative.GenerativeCase;
import dev.inflight.lab.generative.GenerativeRun;
import dev.inflight.workload.EmbeddedBinaries;
import dev.inflight.workload.PgCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code inflight chaos}: fault injection against migrations under load, with an exact oracle. */
@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    description =
        "Inject faults (SIGKILL, terminated connections, server restarts, long transactions,"
            + " statement timeouts, a full disk) at random moments of every phase of migrations"
            + " under load; check each result row by row.")
public final class ChaosCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--trials",
      defaultValue = "21",
      description = "trials to run, going round the faults (default ${DEFAULT-VALUE})")
  int trials;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      description = "replay the one trial with this seed (printed by a failing trial)")
  Long seed;

  @Option(
      names = "--base-seed",
      paramLabel = "SEED",
      description = "seed of the sequence of trials (default: random, printed)")
  Long baseSeed;

  @Option(
      names = "--faults",
      split = ",",
      paramLabel = "FAULT",
      description =
          "faults to inject, comma-separated (default: all): kill, terminate, restart-fast,"
              + " restart-immediate, long-transaction, statement-timeout, disk-full")
  List<String> faults;

  @Option(
      names = "--rows",
      defaultValue = "20000",
      description = "rows in the table of each trial (default ${DEFAULT-VALUE})")
  long rows;

  @Option(
      names = "--pg-bin",
      paramLabel = "DIR",
      description = "PostgreSQL bin directory to run the server from (default: embedded binaries)")
  Path pgBin;

  @Option(
      names = "--generative",
      description =
          "run generated cases instead of trials: random table shapes, changes, application"
              + " writes, other sessions' objects and SIGKILLs, each checked against the"
              + " application's own model of the table byte for byte")
  boolean generative;

  @Option(
      names = "--cases",
      paramLabel = "N",
      description = "with --generative: cases to run (default 20, or no limit with --hours)")
  Integer cases;

  @Option(
      names = "--hours",
      paramLabel = "H",
      defaultValue = "0",
      description = "with --generative: stop after H hours (default: no time limit)")
  double hours;

  @Option(
      names = "--case",
      paramLabel = "CASE",
      description = "with --generative: replay the one case printed by a failure")
  String replayCase;

  @Option(
      names = "--pending-fixes",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "with --generative: also draw the dimensions whose engine fixes are pending (unique"
              + " values moving between rows, keys under non-C collations, objects others create"
              + " during the migration); --no-pending-fixes leaves them out (default: drawn)")
  boolean pendingFixes;

  @Option(
      names = "--no-shrink",
      description = "with --generative: report a failing case without shrinking it")
  boolean noShrink;

  @Option(
      names = "--show-output",
      description = "print the driving processes' output of every trial")
  boolean showOutput;

  @Override
  public Integer call() throws Exception {
    if (generative) {
      return generative();
    }
    if (trials < 1 || rows < 100) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--trials must be at least 1 and --rows at least 100");
    }
    List<Fault> chosen;
    try {
      chosen =
          faults == null
              ? Arrays.asList(Fault.values())
              : faults.stream().map(Fault::parse).distinct().toList();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "unknown fault in --faults " + String.join(",", faults));
    }
    long base = baseSeed != null ? baseSeed : new java.util.Random().nextLong() & Long.MAX_VALUE;
    List<TrialPlan> plans =
        seed != null ? List.of(TrialPlan.of(seed)) : Chaos.plans(trials, base, chosen);
    Path work = Files.createTempDirectory("inflight-chaos-");
    Path bin = pgBin != null ? pgBin : EmbeddedBinaries.onClassPath().bin();
    try (PgCluster cluster = PgCluster.create(bin, work, settings())) {
      System.out.printf(
          "chaos: %s, PostgreSQL %s from %s; %,d rows per trial%s%n",
          seed != null
              ? "replaying seed " + seed
              : plans.size() + " trials (base seed " + base + ")",
          cluster.version(),
          bin,
          rows,
          seed != null ? "" : "; faults: " + chosen.stream().map(Fault::cliName).toList());
      Chaos.Summary s =
          new Chaos(System.out, cluster, rows, work, showOutput)
              .run(
                  plans,
                  "inflight chaos --rows " + rows + (pgBin == null ? "" : " --pg-bin " + pgBin));
      if (s.failed() > 0) {
        System.out.println("logs of the trials are kept in " + work);
        return ExitCodes.FAILED;
      }
    }
    PgCluster.deleteTree(work);
    return ExitCodes.OK;
  }

  private int generative() throws Exception {
    if (hours < 0 || (cases != null && cases < 1)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--cases must be at least 1 and --hours at least 0");
    }
    GenerativeCase single;
    try {
      single = replayCase == null ? null : GenerativeCase.parse(replayCase);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--case: " + e.getMessage());
    }
    long base = baseSeed != null ? baseSeed : new java.util.Random().nextLong() & Long.MAX_VALUE;
    Path work = Files.createTempDirectory("inflight-generative-");
    Path bin = pgBin != null ? pgBin : EmbeddedBinaries.onClassPath().bin();
    String replay = "inflight-lab chaos --generative" + (pgBin == null ? "" : " --pg-bin " + pgBin);
    int failed;
    try (PgCluster cluster = PgCluster.create(bin, work, settings())) {
      System.out.printf(
          "chaos --generative: PostgreSQL %s from %s; %s%n",
          cluster.version(), bin, single != null ? "replaying one case" : "base seed " + base);
      if (single != null) {
        System.out.println("case: " + single.encode());
        failed = new Generative(System.out, cluster, work).run(single, replay) ? 0 : 1;
      } else {
        int n = cases != null ? cases : hours > 0 ? 0 : 20;
        failed =
            new GenerativeRun(n, hours, base, pendingFixes, !noShrink)
                .run(System.out, cluster, work, replay);
      }
    }
    if (failed > 0) {
      System.out.println("logs of the cases are kept in " + work);
      return ExitCodes.FAILED;
    }
    PgCluster.deleteTree(work);
    return ExitCodes.OK;
  }

  /**
   * The server's settings. Commits are synchronous (an acknowledged commit survives an immediate
   * shutdown, which the oracle relies on); fsync is off because the operating system does not crash
   * in these trials, only PostgreSQL's processes do.
   */
  public static Map<String, String> settings() {
    return Map.of(
        "fsync", "off",
        "synchronous_commit", "on",
        "max_connections", "100",
        "max_prepared_transactions", "10",
        "shared_buffers", "128MB");
  }
}
