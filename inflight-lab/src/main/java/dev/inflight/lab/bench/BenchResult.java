package dev.inflight.lab.bench;

import dev.inflight.workload.StatementLog.Latency;
import java.util.List;
import java.util.Map;

/**
 * One benchmark run at one table size: every method's measurements, the ratios between them and
 * each target's verdict, the reshape at each {@code backfill.parallelism} and the guarded run.
 * Written as {@code results-<rows>.json}; the report is built from these. Files written before
 * {@code parallelism} and {@code guarded} existed read with them null.
 */
public record BenchResult(
    long rows,
    String startedAt,
    Machine machine,
    String server,
    Map<String, String> serverSettings,
    LoadSpec load,
    List<MethodResult> methods,
    List<Ratio> ratios,
    List<Target> targets,
    List<WorkerRun> parallelism,
    GuardedRun guarded) {

  /**
   * The application load every method ran under, and Inflight's {@code backfill.maxRowsPerSecond}
   * (0: unthrottled, the default).
   */
  public record LoadSpec(
      int writers, int readers, int ratePerThread, long warmupMillis, long maxRowsPerSecond) {}

  /**
   * One method. {@code totalMillis} is wall time as its user waits for it; {@code during} covers
   * the application statements that ran at any moment of it.
   */
  public record MethodResult(
      String method,
      String description,
      boolean ran,
      String note,
      long totalMillis,
      Latency before,
      Latency during,
      Latency duringWrites,
      long failedStatements,
      Map<String, Long> failures,
      Map<String, Long> partsMillis,
      InflightDetail inflight) {}

  /**
   * What only Inflight reports. {@code loadHolds}: how many times the application's load ({@code
   * maxActiveSessions}) began to hold the copy back, as the apply command says once per hold
   * (consecutive waits count once).
   */
  public record InflightDetail(
      int exitCode,
      long migrationMillis,
      Map<String, Long> phaseMillis,
      long rowsCopied,
      long rowsPerSecond,
      long rowsReplayed,
      long rowsVerified,
      int cutoverAttempts,
      long lockHeldMillis,
      Latency beforeAll,
      Latency captureAll,
      Latency captureWrites,
      Latency cutover,
      long peakHeapBytes,
      long maxLiveHeapBytes,
      Map<String, Long> syncingMillis,
      long startupMillis,
      Map<String, Latency> byPhase,
      String cutoverLastError,
      int loadHolds,
      int copySessions) {}

  /**
   * The reshape at one {@code backfill.parallelism}, on a fresh copy of the same table under the
   * same load. {@code source} names the method whose run it is ({@code inflight} for the default
   * parallelism, whose run is not repeated).
   */
  public record WorkerRun(
      int parallelism,
      String source,
      long totalMillis,
      long backfillingMillis,
      long syncingMillis,
      long rowsCopied,
      long copyRowsPerSecond,
      long failedStatements,
      long peakHeapBytes,
      int copySessions) {

    /** A copy this long is watched often enough for its sessions to count as its workers. */
    static final long WATCHED_MILLIS = 1000;

    /**
     * The workers that copied: the sessions seen copying at once when fewer than the setting over a
     * copy long enough to watch (the engine opens fewer when its pool cannot spare them), else the
     * setting.
     */
    public int workers() {
      return copySessions > 0 && copySessions < parallelism && backfillingMillis >= WATCHED_MILLIS
          ? copySessions
          : parallelism;
    }

    /** The copy's rate divided among its workers. */
    public long rowsPerSecondPerWorker() {
      return workers() == 0 ? 0 : copyRowsPerSecond / workers();
    }
  }

  /**
   * The reshape with the latency guard on: {@code backfill.maxActiveSessions} (and {@code
   * maxRowsPerSecond} when set), at the default parallelism, to set beside the unguarded {@code
   * inflight} run of the same invocation.
   */
  public record GuardedRun(int maxActiveSessions, long maxRowsPerSecond, MethodResult run) {}

  /** A ratio between two measurements of this run. */
  public record Ratio(String name, double value, String numerator, String denominator) {}

  /** A target of the benchmark and whether this run met it. */
  public record Target(String name, String goal, String measured, Boolean met, String note) {}

  public MethodResult method(String name) {
    return methods.stream().filter(m -> m.method().equals(name)).findFirst().orElse(null);
  }
}
