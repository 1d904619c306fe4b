package dev.inflight.lab.generative;

import dev.inflight.workload.PgCluster;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The long generative run of {@code inflight-lab chaos --generative}: cases drawn one after another
 * from a base seed until the number of cases or the hours are used up, each failure shrunk and
 * printed with the text that replays it, and a summary.
 *
 * @param cases cases to run at most (0: no limit but the hours)
 * @param hours hours to run at most (0: no limit but the cases)
 * @param pendingFixes draw the dimensions added with their engine fixes
 * @param shrink shrink each failing case
 */
public record GenerativeRun(
    int cases, double hours, long baseSeed, boolean pendingFixes, boolean shrink) {

  /** Runs the cases; returns the number that failed. */
  public int run(PrintStream out, PgCluster cluster, Path work, String replay) throws Exception {
    Generative generative = new Generative(out, cluster, work);
    long started = System.nanoTime();
    long end = hours > 0 ? started + (long) (hours * 3_600e9) : Long.MAX_VALUE;
    Random seeds = new Random(baseSeed);
    List<String> failed = new ArrayList<>();
    int n = 0;
    while ((cases == 0 || n < cases) && System.nanoTime() < end) {
      n++;
      GenerativeCase spec = GenerativeCase.random(new Random(seeds.nextLong()), pendingFixes);
      out.printf("case %d%s: %s%n", n, cases == 0 ? "" : "/" + cases, spec.encode());
      if (!generative.run(spec, replay)) {
        GenerativeCase smallest = shrink ? generative.shrink(spec) : spec;
        if (smallest != spec) {
          out.println("  smallest failing case: " + replay + " --case '" + smallest.encode() + "'");
        }
        failed.add(smallest.encode());
      }
    }
    double elapsedHours = (System.nanoTime() - started) / 3_600e9;
    out.printf(
        "%n=== generative summary ===%ncases: %d run, %d failed, in %.2f hours (base seed %d,"
            + " pending fixes %s)%n",
        n, failed.size(), elapsedHours, baseSeed, pendingFixes ? "drawn" : "left out");
    failed.forEach(f -> out.println("  failed: " + replay + " --case '" + f + "'"));
    return failed.size();
  }
}
