package dev.inflight.lab.chaos;

import dev.inflight.workload.PgCluster;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.slf4j.LoggerFactory;

/**
 * A chaos run: trials one after another on one server this process controls, each checked against
 * its oracle and the reference catalog, and a summary of trials, failures and data differences. A
 * failing trial prints the seed that replays it.
 */
public final class Chaos {
  /** The outcome of a run. */
  public record Summary(List<Trial.Result> results, List<String> skipped) {
    public long failed() {
      return results.stream().filter(r -> !r.passed()).count();
    }

    public long missed() {
      return results.stream().filter(r -> r.hit().startsWith("missed")).count();
    }
  }

  private final PrintStream out;
  private final PgCluster cluster;
  private final ChaosSettings settings;
  private final boolean showOutput;

  public Chaos(
      PrintStream out, PgCluster cluster, long rows, java.nio.file.Path work, boolean showOutput) {
    this.out = out;
    this.cluster = cluster;
    this.settings = new ChaosSettings(rows, work);
    this.showOutput = showOutput;
  }

  /**
   * {@code trials} plans that go round the given faults in turn, each from a seed drawn from {@code
   * baseSeed}.
   */
  public static List<TrialPlan> plans(int trials, long baseSeed, List<Fault> faults) {
    Random r = new Random(baseSeed);
    List<TrialPlan> out = new ArrayList<>();
    for (int i = 0; i < trials; i++) {
      out.add(TrialPlan.of(TrialPlan.seedFor(faults.get(i % faults.size()), r)));
    }
    return out;
  }

  public Summary run(List<TrialPlan> plans, String replayCommand) throws Exception {
    quietPools();
    String diskFull = DiskFull.unavailable(settings.work());
    out.print("reference run (no faults, no load) ... ");
    References references = References.compute(cluster);
    out.println("done");
    List<Trial.Result> results = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    int n = 0;
    for (TrialPlan plan : plans) {
      n++;
      String head =
          String.format("trial %d/%d seed %d: %s", n, plans.size(), plan.seed(), plan.describe());
      if (plan.fault() == Fault.DISK_FULL && diskFull != null) {
        skipped.add(head + ": skipped, " + diskFull);
        out.println(head + "\n  skipped: " + diskFull);
        continue;
      }
      out.println(head);
      Trial.Result r = new Trial(cluster, settings, references).run(plan);
      results.add(r);
      out.printf(
          "  %s; struck: %s%n  processes: %s; application: %,d statements (longest %d ms), %d in"
              + " doubt (read back), %s; %.1f s%n",
          r.passed() ? "PASS" : "FAIL",
          r.hit(),
          String.join(", ", r.exits()),
          r.statements(),
          r.longestStatementMillis(),
          r.inDoubt(),
          r.applicationFailures().isEmpty() ? "no errors" : "errors " + r.applicationFailures(),
          r.millis() / 1000.0);
      driverErrors(r.log())
          .forEach((line, count) -> out.println("  driver: " + count + " x " + line));
      if (!r.passed()) {
        r.problems().forEach(p -> out.println("  problem: " + p));
        out.println("  replay: " + replayCommand + " --seed " + plan.seed());
      }
      if (!r.passed() || showOutput) {
        out.println("  output of the driving processes" + (showOutput ? ":" : " (last lines):"));
        tail(r.log(), showOutput ? Integer.MAX_VALUE : 25).forEach(l -> out.println("    | " + l));
      }
    }
    Summary s = new Summary(results, skipped);
    summarize(s, replayCommand);
    return s;
  }

  private void summarize(Summary s, String replayCommand) {
    out.println("\n=== chaos summary ===");
    Map<Fault, int[]> byFault = new EnumMap<>(Fault.class);
    for (Trial.Result r : s.results()) {
      int[] c = byFault.computeIfAbsent(r.plan().fault(), f -> new int[3]);
      c[0]++;
      c[1] += r.passed() ? 0 : 1;
      c[2] += r.hit().startsWith("missed") ? 1 : 0;
    }
    out.printf("%-20s %7s %7s %7s  %s%n", "fault", "trials", "failed", "missed", "what");
    byFault.forEach(
        (f, c) ->
            out.printf("%-20s %7d %7d %7d  %s%n", f.cliName(), c[0], c[1], c[2], f.description()));
    long differences =
        s.results().stream()
            .filter(r -> r.problems().stream().anyMatch(p -> p.startsWith("live table differs")))
            .count();
    out.printf(
        "trials: %d run, %d failed, %d with a data difference, %d where the fault missed its phase,"
            + " %d skipped%n",
        s.results().size(), s.failed(), differences, s.missed(), s.skipped().size());
    s.skipped().forEach(k -> out.println("  " + k));
    Map<String, Integer> errors = new java.util.TreeMap<>();
    s.results()
        .forEach(r -> driverErrors(r.log()).forEach((k, v) -> errors.merge(k, v, Integer::sum)));
    if (!errors.isEmpty()) {
      out.println("how the driving processes ended when they did not settle (then run again):");
      errors.forEach((k, v) -> out.printf("  %4d x %s%n", v, k));
    }
    for (Trial.Result r : s.results()) {
      if (!r.passed()) {
        out.println(
            "  failed: "
                + replayCommand
                + " --seed "
                + r.plan().seed()
                + "   # "
                + r.plan().describe());
      }
    }
  }

  /**
   * Restarts make the connection pools log every broken connection with a stack trace; the trials
   * report what matters.
   */
  private static void quietPools() {
    if (LoggerFactory.getLogger("com.zaxxer.hikari") instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(ch.qos.logback.classic.Level.ERROR);
    }
  }

  /** The one-line errors the driving processes ended with, counted. */
  private static Map<String, Integer> driverErrors(String log) {
    Map<String, Integer> out = new java.util.LinkedHashMap<>();
    for (String line : log.split("\n")) {
      if (line.startsWith("inflight: ")) {
        out.merge(line.replaceAll("\\d+", "N"), 1, Integer::sum);
      }
    }
    return out;
  }

  private static List<String> tail(String s, int n) {
    String[] lines = s.strip().split("\n");
    return List.of(lines).subList(Math.max(0, lines.length - n), lines.length);
  }
}
