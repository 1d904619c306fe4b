package dev.inflight.engine.phase;

import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code backfill.maxRowsPerSecond}: the ceiling on rows the migration reads per second, for the
 * copy and for verification alike. Work runs in bounded units; after a unit the step waits out
 * whatever time the unit saved against the rate.
 */
final class Pacing {
  /** The smallest verification range while throttled, so each chunk is still worth a statement. */
  private static final int MIN_CHUNK = 1_000;

  private Pacing() {}

  /** The wait due after {@code rows} rows took {@code elapsedMs}, if the rate asks for one. */
  static Optional<StepResult> after(
      MigrationPhase phase, long rows, long elapsedMs, long maxRowsPerSecond) {
    if (maxRowsPerSecond <= 0 || rows <= 0) {
      return Optional.empty();
    }
    long dueMs = rows * 1000 / maxRowsPerSecond;
    if (dueMs <= elapsedMs) {
      return Optional.empty();
    }
    return Optional.of(
        StepResult.Waiting.throttled(
            phase,
            StepResult.Throttle.MaxRowsPerSecond,
            Duration.ofMillis(dueMs - elapsedMs),
            "throttled to " + maxRowsPerSecond + " rows/s"));
  }

  /**
   * Rows per verification range: the configured size, or about half a second's worth at the rate,
   * so a throttled migration reads in small steps rather than in bursts.
   */
  static int verifyChunk(int configured, long maxRowsPerSecond) {
    if (maxRowsPerSecond <= 0) {
      return configured;
    }
    return (int) Math.max(MIN_CHUNK, Math.min(configured, maxRowsPerSecond / 2));
  }

  /** True when maintenance work should leave the other cores to the application. */
  static boolean gentle(long maxRowsPerSecond) {
    return maxRowsPerSecond > 0;
  }
}
