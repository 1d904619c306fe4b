package dev.inflight.engine.phase;

import dev.inflight.api.Durations;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.engine.sql.Tx;
import dev.inflight.engine.sync.KeyRange;
import dev.inflight.engine.sync.RowMover;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Backfilling. Pre: shadow, log and capture exist; the copy's end key is recorded. Advance:
 * alternates a replay of the change log with one keyset batch copied inside the database (rows
 * never pass through the engine), the cursor committed in the batch's own transaction. The batch
 * size follows {@code targetBatchTime}; {@code maxRowsPerSecond} paces, and {@link Throttles}
 * (standby lag, slot retention, application load) pause the copy. Post: every row up to the end key
 * copied, then Syncing. Cancel: drops the shadow, the log and the capture triggers.
 */
final class BackfillingPhase implements PhaseStep.BeforeCutover {
  private static final int MIN_BATCH = 100;

  @Override
  public MigrationPhase phase() {
    return MigrationPhase.Backfilling;
  }

  @Override
  public Observation observe(StepContext ctx) throws SQLException {
    return new Observation(Tx.queryLong(ctx.conn(), ctx.plan().logBacklog()));
  }

  @Override
  public StepResult advance(StepContext ctx) throws SQLException {
    Duration target = Durations.parse("targetBatchTime", ctx.spec().backfill().targetBatchTime());
    long maxRate = ctx.spec().backfill().maxRowsPerSecond();
    while (true) {
      MigrationRecord m = ctx.record();
      var throttled = Throttles.check(ctx);
      if (throttled.isPresent()) {
        return throttled.get();
      }
      KeyRange range = new KeyRange(m.backfillCursor(), m.backfillHigh());
      Replays.forward(ctx, range);
      if (m.backfillDone()) {
        ctx.transition(MigrationPhase.Syncing);
        return new StepResult.Progress(
            MigrationPhase.Syncing, "copy complete: " + m.rowsCopied() + " rows");
      }
      int size = m.batchSize() == null ? ctx.spec().backfill().batchSize() : m.batchSize();
      long started = System.nanoTime();
      RowMover.BatchResult batch =
          ctx.tx(
              c -> {
                RowMover.BatchResult r =
                    RowMover.copyBatch(c, ctx.plan().backfillBatch(), range, size);
                long ms = (System.nanoTime() - started) / 1_000_000;
                // A short batch read every key up to the end key: the copy covers the whole range,
                // so replay must no longer skip keys below the end key (it would drop keys
                // inserted there after this batch, such as ones an application re-inserts).
                boolean last = r.read() < size;
                ctx.ledger()
                    .update(m.id())
                    .set(
                        "backfill_cursor = ?",
                        last
                            ? m.backfillHigh()
                            : r.lastKey() == null ? m.backfillCursor() : r.lastKey())
                    .set("rows_copied = rows_copied + ?", r.inserted())
                    .set("backfill_done = ?", last)
                    .set("batch_size = ?", nextSize(size, ms, target, ctx))
                    .execute(c, ctx.now());
                return r;
              });
      ctx.reload();
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;
      var pause = Pacing.after(phase(), batch.read(), elapsedMs, maxRate);
      if (pause.isPresent()) {
        return pause.get();
      }
      if (ctx.budgetSpent()) {
        return new StepResult.Progress(phase(), ctx.record().rowsCopied() + " rows copied");
      }
    }
  }

  /** Grows or shrinks the batch towards the target time, at most doubling or halving per batch. */
  private static int nextSize(int size, long elapsedMs, Duration target, StepContext ctx) {
    double ratio = target.toMillis() / (double) Math.max(1, elapsedMs);
    double factor = Math.max(0.5, Math.min(2.0, ratio));
    long next = Math.round(size * factor);
    return (int) Math.max(MIN_BATCH, Math.min(ctx.settings().maxBatchSize(), next));
  }

  @Override
  public StepResult cancel(StepContext ctx) throws SQLException {
    return Cleanup.toPhase(ctx, MigrationPhase.Cancelled);
  }
}
