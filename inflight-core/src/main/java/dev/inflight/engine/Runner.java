package dev.inflight.engine;

import dev.inflight.api.MigrationSpec;
import dev.inflight.engine.StepResult.WaitReason;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Drives a migration step after step until it settles: reaches its intent, fails, or waits for a
 * person. Waits for time (throttling, lock contention, retries) are slept through here.
 */
public final class Runner {
  /** Waits that only a person can end. */
  public static final Set<WaitReason> PERSON =
      EnumSet.of(
          WaitReason.AwaitingApproval,
          WaitReason.AwaitingCutover,
          WaitReason.Paused,
          WaitReason.ActionRefused,
          WaitReason.RollbackUnavailable);

  private final Engine engine;
  private final Clock clock;

  public Runner(Engine engine, Clock clock) {
    this.engine = engine;
    this.clock = clock;
  }

  /** Steps until settled or {@code timeout}; returns the last result. */
  public StepResult run(long id, MigrationSpec spec, Duration timeout, Consumer<StepResult> onStep)
      throws SQLException, InterruptedException {
    Instant end = clock.instant().plus(timeout);
    while (true) {
      StepResult r = engine.step(id, spec);
      onStep.accept(r);
      if (r instanceof StepResult.Done || r instanceof StepResult.Failed) {
        return r;
      }
      if (r instanceof StepResult.Waiting w) {
        if (PERSON.contains(w.reason())) {
          return r;
        }
        if (clock.instant().plus(w.retryAfter()).isAfter(end)) {
          return r;
        }
        Thread.sleep(w.retryAfter().toMillis());
      } else if (clock.instant().isAfter(end)) {
        return r;
      }
    }
  }
}
