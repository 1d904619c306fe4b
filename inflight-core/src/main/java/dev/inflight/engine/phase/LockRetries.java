package dev.inflight.engine.phase;

import dev.inflight.engine.StepResult;
import dev.inflight.engine.StepResult.WaitReason;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The attempt limit and growing backoff of a command's DDL that must lock the live table (cancel,
 * finalize, rollback), as the cut-over has: each attempt that found a blocker or timed out is
 * counted in the ledger; the next waits {@code backoff().delay(attempts)}, so writers queue behind
 * the engine's lock requests only a small fraction of the time; after {@code cutover.maxAttempts}
 * the command gives up with the last reason (which names the blockers, prepared transactions by
 * gid) and waits for a person. Giving up changes nothing: the migration stays in the phase the
 * command starts from, and the count starts again, so the command can simply be run again once the
 * blocker is gone.
 */
final class LockRetries {
  private LockRetries() {}

  /**
   * Counts a failed attempt of {@code what} (say "cancel") in the current phase; returns the wait
   * before the next, or, at the limit, the command given up.
   */
  static StepResult failed(StepContext ctx, String what, String why) throws SQLException {
    int attempts = ctx.ledger().recordLockAttempt(ctx.conn(), ctx.record().id());
    int max = ctx.spec().cutover().maxAttempts();
    if (attempts >= max) {
      ctx.ledger().clearLockAttempts(ctx.conn(), ctx.record().id());
      return gaveUp(ctx, what, attempts, why);
    }
    return new StepResult.Waiting(
        ctx.record().phase(),
        WaitReason.LockContention,
        ctx.backoff().delay(attempts),
        what + " attempt " + attempts + "/" + max + ": " + why);
  }

  /** The command given up after {@code attempts}; a person ends the blocker and runs it again. */
  static StepResult gaveUp(StepContext ctx, String what, int attempts, String why) {
    return new StepResult.Waiting(
        ctx.record().phase(),
        WaitReason.ActionRefused,
        Duration.ofSeconds(30),
        what
            + " did not get its lock in "
            + attempts
            + " attempts (last: "
            + why
            + "); nothing was changed: end the blocking transaction and run the command again");
  }
}
