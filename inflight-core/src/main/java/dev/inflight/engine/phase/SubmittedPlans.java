package dev.inflight.engine.phase;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The plans this engine has just made and recorded at submission, handed to the Planning step so
 * that it does not plan the same migration a second time moments later (a command-line {@code
 * apply} submits and steps at once; the dry run is most of its start). A hand-over is taken once
 * and only within {@link #FRESH_FOR} of the submission; the step still compares the table with the
 * plan's fingerprint. Everything else (another process, a restart, a plan waiting in the ledger for
 * longer) plans again, as the Planning step always did.
 */
public final class SubmittedPlans {
  /**
   * How long a recorded plan counts as just made: the time a command line or a reconcile takes from
   * submitting to its first step, and of the order of the time that always passes between the
   * Planning step and the shadow's creation.
   */
  static final Duration FRESH_FOR = Duration.ofSeconds(30);

  private record Handed(String planHash, Instant plannedAt) {}

  private final Map<Long, Handed> byMigration = new ConcurrentHashMap<>();

  /** Called by the submission that planned migration {@code id} and recorded the plan. */
  public void recorded(long id, String planHash, Instant plannedAt) {
    // Hand-overs no step took in time (another process stepped the migration) are dropped.
    byMigration
        .values()
        .removeIf(h -> Duration.between(h.plannedAt(), plannedAt).compareTo(FRESH_FOR) >= 0);
    byMigration.put(id, new Handed(planHash, plannedAt));
  }

  /**
   * Whether the plan {@code planHash} of migration {@code id} was made by this engine's submission
   * less than {@link #FRESH_FOR} before {@code now}; forgets the hand-over either way.
   */
  boolean takeFresh(long id, String planHash, Instant now) {
    Handed handed = byMigration.remove(id);
    return handed != null
        && handed.planHash().equals(planHash)
        && !now.isBefore(handed.plannedAt())
        && Duration.between(handed.plannedAt(), now).compareTo(FRESH_FOR) < 0;
  }
}
