package dev.inflight.lab.chaos;

import dev.inflight.engine.MigrationPhase;
import java.util.Random;

/**
 * Everything random about one trial, derived from its seed alone, so that {@code inflight chaos
 * --seed S} runs the same trial again: the fault, the phase it hits, how long into the phase, the
 * fault's own parameters and the application's choices.
 *
 * @param delayMillis how long after the phase is first seen the fault strikes
 * @param holdMillis for a long transaction: how long it holds its lock; for a statement timeout:
 *     how long statements are cancelled
 * @param idle for a long transaction: idle in transaction (true) or running a query
 * @param repeats for terminate: how many times the connections are terminated
 */
public record TrialPlan(
    long seed,
    Fault fault,
    MigrationPhase target,
    long delayMillis,
    long holdMillis,
    boolean idle,
    int repeats,
    long workloadSeed) {

  public static TrialPlan of(long seed) {
    Random r = new Random(seed);
    Fault fault = Fault.values()[r.nextInt(Fault.values().length)];
    MigrationPhase target = fault.targets().get(r.nextInt(fault.targets().size()));
    long delay = r.nextInt(maxDelayMillis(target) + 1);
    long hold = fault == Fault.STATEMENT_TIMEOUT ? 1000 + r.nextInt(2000) : 1000 + r.nextInt(5000);
    return new TrialPlan(
        seed, fault, target, delay, hold, r.nextBoolean(), 1 + r.nextInt(3), r.nextLong());
  }

  /**
   * A seed whose trial injects {@code fault}: seeds are drawn from {@code r} until one does, so a
   * run covers every fault while each trial stays replayable from its seed alone.
   */
  public static long seedFor(Fault fault, Random r) {
    while (true) {
      long seed = r.nextLong() & Long.MAX_VALUE;
      if (of(seed).fault() == fault) {
        return seed;
      }
    }
  }

  /** True when the fault strikes the rollback rather than the apply. */
  public boolean duringRollback() {
    return target == MigrationPhase.Completed || target == MigrationPhase.RollingBack;
  }

  /**
   * Short phases are stretched (see {@link Trial}); the delay stays within the phase's usual
   * length.
   */
  private static int maxDelayMillis(MigrationPhase p) {
    return switch (p) {
      case Planning -> 1500;
      case Backfilling -> 1500;
      case Syncing -> 150;
      case Completed -> 1000;
      default -> 400;
    };
  }

  public String describe() {
    return fault.cliName()
        + " in "
        + target
        + (duringRollback() ? " (rollback)" : "")
        + " after "
        + delayMillis
        + " ms"
        + switch (fault) {
          case LONG_TRANSACTION ->
              ", lock held " + holdMillis + " ms " + (idle ? "idle in transaction" : "by a query");
          case STATEMENT_TIMEOUT -> ", for " + holdMillis + " ms";
          case TERMINATE -> ", " + repeats + " time(s)";
          default -> "";
        };
  }
}
