package dev.inflight.engine.phase;

import dev.inflight.api.Durations;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.engine.sql.Tx;
import dev.inflight.engine.sync.CopyRanges;
import dev.inflight.engine.sync.RangeSplit;
import dev.inflight.engine.sync.RowMover;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Backfilling. Pre: shadow (without indexes), log and capture exist; the copy's end key is
 * recorded. Advance: the first step splits the keys up to the end key into ranges of about equal
 * rows ({@link RangeSplit}); then {@code backfill.parallelism} workers, each on its own session,
 * copy keyset batches of the ranges inside the database (rows never pass through the engine), each
 * batch committed with its range's cursor. The copy goes into a bare heap, the fastest way to load
 * a table: the key and the indexes are built afterwards, at Syncing, and the change log is replayed
 * from there (every key changed since capture began is in it, so replay then re-reads the truth of
 * whatever a batch copied stale). Batch sizes follow {@code targetBatchTime} per worker; {@code
 * maxRowsPerSecond} paces the workers' sum, and {@link Throttles} (standby lag, slots, application
 * load) holds the copy between steps. Post: every range copied, then Syncing. Cancel: drops the
 * shadow, the log and the capture triggers.
 */
final class BackfillingPhase implements PhaseStep.BeforeCutover {
  private static final int MIN_BATCH = 100;

  /** How often the throttles are looked at while the workers copy. */
  private static final Duration THROTTLE_LOOK = Duration.ofMillis(250);

  @Override
  public MigrationPhase phase() {
    return MigrationPhase.Backfilling;
  }

  @Override
  public Observation observe(StepContext ctx) throws SQLException {
    return new Observation(Tx.queryLong(ctx.conn(), ctx.plan().logBacklog()));
  }

  /** What one worker did in one step. */
  private record Copied(long read, int lastBatchSize) {}

  @Override
  public StepResult advance(StepContext ctx) throws SQLException {
    MigrationRecord m = ctx.record();
    if (m.backfillDone()) {
      return toSyncing(ctx);
    }
    Optional<StepResult> held = Throttles.check(ctx);
    if (held.isPresent()) {
      return held.get();
    }
    int workers = ctx.workers();
    if (!CopyRanges.planned(ctx.conn(), m.id())) {
      split(ctx, workers);
    }
    long maxRate = ctx.spec().backfill().maxRowsPerSecond();
    long started = System.nanoTime();
    AtomicLong read = new AtomicLong();
    AtomicReference<StepResult> throttled = new AtomicReference<>();
    List<Copied> done =
        Workers.run(
            ctx,
            workers,
            (session, worker, crew) -> copy(ctx, session, worker, crew, read, started, throttled));
    CopyRanges.Totals totals = CopyRanges.totals(ctx.conn(), m.id());
    int lastSize =
        done.stream().filter(d -> d != null).mapToInt(Copied::lastBatchSize).max().orElse(0);
    var update = ctx.ledger().update(m.id()).set("rows_copied = ?", totals.rowsCopied());
    if (lastSize > 0) {
      update.set("batch_size = ?", lastSize);
    }
    update.execute(ctx.conn(), ctx.now());
    ctx.reload();
    if (totals.allCopied()) {
      return toSyncing(ctx);
    }
    if (throttled.get() != null) {
      return throttled.get();
    }
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;
    Optional<StepResult> pause = Pacing.after(phase(), read.get(), elapsedMs, maxRate);
    if (pause.isPresent()) {
      return pause.get();
    }
    return new StepResult.Progress(
        phase(),
        ctx.reload().rowsCopied()
            + " rows copied ("
            + totals.copied()
            + " of "
            + totals.ranges()
            + " key ranges, "
            + workers
            + (workers == 1 ? " worker)" : " workers)"));
  }

  /** Records the ranges, once: the next steps and any process resuming the migration use them. */
  private static void split(StepContext ctx, int workers) throws SQLException {
    MigrationRecord m = ctx.record();
    long rows = Math.max(ctx.plan().estimatedRows(), 0);
    int ranges = RangeSplit.ranges(rows, workers);
    ctx.tx(
        c -> {
          List<List<String>> cuts =
              RangeSplit.boundaries(
                  c,
                  ctx.plan().sampleKeys(),
                  m.backfillCursor(),
                  m.backfillHigh(),
                  ranges,
                  RangeSplit.heapBytes(c, ctx.tableSql()));
          CopyRanges.plan(c, m.id(), m.backfillCursor(), m.backfillHigh(), cuts, m.rowsCopied());
          return null;
        });
  }

  /**
   * One worker: batch after batch from its range (another free one when it is done), until every
   * range is copied or taken, the step's budget is spent, the rate asks for a pause, or another
   * worker failed.
   */
  private Copied copy(
      StepContext ctx,
      Connection session,
      int worker,
      Workers.Crew crew,
      AtomicLong read,
      long started,
      AtomicReference<StepResult> throttled)
      throws SQLException {
    long lastLook = System.nanoTime();
    MigrationRecord m = ctx.record();
    Duration target = Durations.parse("targetBatchTime", ctx.spec().backfill().targetBatchTime());
    long maxRate = ctx.spec().backfill().maxRowsPerSecond();
    int size = m.batchSize() == null ? ctx.spec().backfill().batchSize() : m.batchSize();
    int[] preferred = {-1};
    long mine = 0;
    // At least one batch per worker and step, however short the budget: every step makes progress.
    do {
      int limit = size;
      long batchStarted = System.nanoTime();
      Optional<RowMover.BatchResult> batch =
          Tx.run(
              session,
              ctx.lockTimeout(),
              ctx.settings().ddlTimeout(),
              c -> {
                Optional<CopyRanges.Range> range = CopyRanges.takeToCopy(c, m.id(), preferred[0]);
                if (range.isEmpty()) {
                  return Optional.empty();
                }
                CopyRanges.Range r = range.get();
                preferred[0] = r.number();
                RowMover.BatchResult b =
                    RowMover.copyBatch(c, ctx.plan().backfillBatch(), r.toCopy(), limit);
                // A short batch read every key up to the range's end: the range is copied.
                boolean last = b.read() < limit;
                List<String> cursor =
                    last ? r.high() : b.lastKey() == null ? r.cursor() : b.lastKey();
                // Counted on the range's row only: the workers never wait for each other on the
                // migration's; the step adds the ranges up at its end.
                CopyRanges.copied(c, m.id(), r.number(), cursor, last, b.inserted());
                return Optional.of(b);
              });
      if (batch.isEmpty()) {
        break;
      }
      mine += batch.get().read();
      long total = read.addAndGet(batch.get().read());
      long ms = (System.nanoTime() - batchStarted) / 1_000_000;
      size = nextSize(size, ms, target, ctx);
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;
      if (Pacing.after(phase(), total, elapsedMs, maxRate).isPresent()) {
        crew.stop();
      }
      // The first worker, on the step's own session, looks at the throttles while the others
      // copy, so that they see the server as the copy loads it, not only between steps.
      if (worker == 0 && System.nanoTime() - lastLook > THROTTLE_LOOK.toNanos()) {
        lastLook = System.nanoTime();
        Optional<StepResult> held = Throttles.check(ctx);
        if (held.isPresent()) {
          throttled.compareAndSet(null, held.get());
          crew.stop();
        }
      }
    } while (!crew.stopping() && !ctx.budgetSpent());
    return new Copied(mine, size);
  }

  /** The copy is complete: the cursor says so for status, and Syncing builds the key next. */
  private StepResult toSyncing(StepContext ctx) throws SQLException {
    MigrationRecord m = ctx.record();
    ctx.ledger()
        .update(m.id())
        .set("backfill_done = true")
        .set("backfill_cursor = ?", m.backfillHigh())
        .execute(ctx.conn(), ctx.now());
    ctx.reload();
    ctx.transition(MigrationPhase.Syncing);
    return new StepResult.Progress(
        MigrationPhase.Syncing, "copy complete: " + ctx.record().rowsCopied() + " rows");
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
