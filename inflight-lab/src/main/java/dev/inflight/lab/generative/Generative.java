package dev.inflight.lab.generative;

import dev.inflight.workload.PgCluster;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Runs generated cases on one server and reports each: what was drawn, what the kill struck, what
 * the application did, and for a failure its problems, the text that replays it and, when asked,
 * the smallest failing case found by shrinking it.
 */
public final class Generative {
  /** The longest an application statement may take: the lock timeout (1 s) plus 2 s. */
  public static final long BOUND_MILLIS = 3_000;

  private static final int SHRINK_RUNS = 12;

  private final PrintStream out;
  private final PgCluster cluster;
  private final Path work;
  private final Map<String, ReferenceCatalog> references = new HashMap<>();

  public Generative(PrintStream out, PgCluster cluster, Path work) {
    this.out = out;
    this.cluster = cluster;
    this.work = work;
  }

  /** Runs one case and prints its outcome; true when it passed. */
  public boolean run(GenerativeCase spec, String replayCommand) throws Exception {
    return report(execute(spec), replayCommand);
  }

  /** Runs one case without printing; the problems it found, empty when it passed. */
  public List<String> problems(GenerativeCase spec) throws Exception {
    return execute(spec).problems();
  }

  private CaseRun.Result execute(GenerativeCase spec) throws Exception {
    ReferenceCatalog reference = references.get(referenceKey(spec));
    if (reference == null) {
      reference = ReferenceCatalog.compute(cluster, spec);
      references.put(referenceKey(spec), reference);
    }
    return new CaseRun(cluster, work, BOUND_MILLIS).run(spec, reference);
  }

  private static String referenceKey(GenerativeCase spec) {
    return spec.shape()
        + "/"
        + spec.change()
        + "/"
        + spec.activities().contains(Activity.OTHERS_OBJECTS);
  }

  private boolean report(CaseRun.Result r, String replayCommand) {
    out.printf(
        "  %s in %.1f s; kill: %s; processes: %s%n  application: %,d statements, %d truncations,"
            + " longest %d ms, %s%n",
        r.passed() ? "PASS" : "FAIL",
        r.millis() / 1000.0,
        r.struck(),
        String.join(", ", r.exits()),
        r.statements(),
        r.truncations(),
        r.longestMillis(),
        r.failures().isEmpty() ? "no errors" : "errors " + r.failures());
    if (!r.passed()) {
      r.problems().forEach(p -> out.println("  problem: " + p));
      out.println("  replay: " + replayCommand + " --case '" + r.spec().encode() + "'");
      out.println("  output of the driving processes (last lines):");
      String[] lines = r.log().strip().split("\n");
      for (int i = Math.max(0, lines.length - 20); i < lines.length; i++) {
        out.println("    | " + lines[i]);
      }
    }
    return r.passed();
  }

  /**
   * Greedy shrinking: tries the case's {@link GenerativeCase#smaller() smaller} neighbours, moves
   * to the first that still fails, and stops after a bounded number of runs. Returns the smallest
   * failing case found.
   */
  public GenerativeCase shrink(GenerativeCase failing) throws Exception {
    GenerativeCase current = failing;
    int runs = 0;
    boolean progress = true;
    while (progress && runs < SHRINK_RUNS) {
      progress = false;
      for (GenerativeCase smaller : current.smaller()) {
        if (runs++ >= SHRINK_RUNS) {
          break;
        }
        out.println("  shrinking, trying " + smaller.encode());
        List<String> problems = problems(smaller);
        if (!problems.isEmpty()) {
          out.println("    still fails: " + problems.get(0));
          current = smaller;
          progress = true;
          break;
        }
      }
    }
    return current;
  }

  /** The cases of a run, each drawn from a seed of the sequence {@code baseSeed}. */
  public static List<GenerativeCase> draw(int cases, long baseSeed, boolean pendingFixes) {
    Random r = new Random(baseSeed);
    List<GenerativeCase> out = new ArrayList<>();
    for (int i = 0; i < cases; i++) {
      out.add(GenerativeCase.random(new Random(r.nextLong()), pendingFixes));
    }
    return out;
  }
}
