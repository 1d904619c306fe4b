package dev.inflight.engine.phase;

import dev.inflight.engine.EngineException;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.engine.sync.CopyRanges;
import dev.inflight.engine.sync.KeyRange;
import dev.inflight.engine.sync.Verifier;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Verification of a copy made in key ranges, unthrottled: every range compared whole, in one
 * snapshot each, by the step's workers side by side; then the keys above the copy's end, which
 * replay brought, in key order ({@link SyncingPhase}). What it covers is exactly what {@link
 * Verifier} covers: every row of the original table, transformed, against the shadow, by count and
 * content digest, except the keys waiting in the log at the range's snapshot, whose replay is due
 * (they are replayed, and so re-read from the original, before the swap and under its lock).
 */
final class RangeVerification {
  private RangeVerification() {}

  /** Attempts at taking a range before a step gives up: see {@link #next}. */
  private static final int TAKE_ATTEMPTS = 5;

  /**
   * The next range verified. A range another worker marked verified after this transaction's
   * snapshot was taken cannot be locked in it (a serialization failure); the next attempt, in a new
   * snapshot, sees it verified and takes another.
   */
  private static Optional<Long> next(
      StepContext ctx, java.sql.Connection session, long migration, int preferred)
      throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try {
        return Verifier.verifyNextRange(
            session, ctx.plan(), migration, preferred, ctx.settings().ddlTimeout());
      } catch (SQLException e) {
        if (!"40001".equals(e.getSQLState()) || attempt == TAKE_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  static StepResult step(StepContext ctx, KeyRange all) throws SQLException {
    MigrationRecord m = ctx.record();
    int workers = ctx.workers();
    AtomicBoolean truncated = new AtomicBoolean();
    Workers.run(
        ctx,
        workers,
        (session, worker, crew) -> {
          int preferred = -1;
          // At least one range per worker and step, however short the budget.
          do {
            Optional<Long> verified;
            try {
              verified = next(ctx, session, m.id(), preferred);
            } catch (EngineException e) {
              // An application TRUNCATE logs no keys: until replay applies its marker, every row
              // of the shadow differs. The step applies it; the range is compared again.
              if (!ctx.logsTruncations() || !Truncations.pending(session, ctx.logSql(false))) {
                throw e;
              }
              truncated.set(true);
              crew.stop();
              break;
            }
            if (verified.isEmpty()) {
              break;
            }
          } while (!crew.stopping() && !ctx.budgetSpent());
          return null;
        });
    CopyRanges.Totals totals = CopyRanges.totals(ctx.conn(), m.id());
    var update = ctx.ledger().update(m.id()).set("rows_verified = ?", totals.rowsVerified());
    if (totals.allVerified()) {
      // Next, the keys above the copy's end, inserted since capture began, in key order.
      update.set("verify_cursor = ?", m.backfillHigh());
    }
    update.execute(ctx.conn(), ctx.now());
    ctx.reload();
    if (truncated.get()) {
      Replays.forward(ctx, all);
      return new StepResult.Progress(
          MigrationPhase.Syncing, "a TRUNCATE replayed; verifying its range again");
    }
    return new StepResult.Progress(
        MigrationPhase.Syncing,
        totals.rowsVerified()
            + " rows verified ("
            + totals.verified()
            + " of "
            + totals.ranges()
            + " key ranges)");
  }
}
