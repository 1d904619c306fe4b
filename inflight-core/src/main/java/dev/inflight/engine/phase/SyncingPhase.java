package dev.inflight.engine.phase;

import dev.inflight.api.MigrationSpec;
import dev.inflight.engine.EngineException;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.engine.plan.IndexBuild;
import dev.inflight.engine.sql.Tx;
import dev.inflight.engine.sync.CopyRanges;
import dev.inflight.engine.sync.KeyRange;
import dev.inflight.engine.sync.Verifier;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Syncing. Pre: every row copied. Advance, one unit per step: first the key (a plan made before the
 * copy went into a bare heap has it already), since replay finds rows by key; from then on the log
 * is replayed before each unit: the secondary indexes (no writer but this migration touches the
 * shadow, so plain builds are safe and fastest; several at once with {@code parallelism}), ANALYZE
 * so the new table starts with statistics, verification of every key range (the ranges side by
 * side), and once everything is verified and the backlog is short, AwaitingCutover (manual mode) or
 * CuttingOver. With {@code maxRowsPerSecond}, verification keeps to the same rate as the copy, in
 * small chunks in key order, and index builds use no parallel workers. Cancel: drops the shadow,
 * the log and the capture triggers.
 */
final class SyncingPhase implements PhaseStep.BeforeCutover {
  @Override
  public MigrationPhase phase() {
    return MigrationPhase.Syncing;
  }

  @Override
  public Observation observe(StepContext ctx) throws SQLException {
    return new Observation(Tx.queryLong(ctx.conn(), ctx.plan().logBacklog()));
  }

  @Override
  public StepResult advance(StepContext ctx) throws SQLException {
    MigrationRecord m = ctx.record();
    KeyRange all = KeyRange.complete(m.backfillHigh());
    IndexBuild key = ctx.plan().keyIndex();
    Set<String> built = IndexBuilds.onShadow(ctx.conn(), ctx.shadowSql());
    if (key != null && !built.contains(key.shadowName())) {
      IndexBuilds.buildKey(ctx, key);
      return new StepResult.Progress(phase(), "built the primary key " + key.finalName());
    }
    Replays.forward(ctx, all);
    List<IndexBuild> remaining =
        ctx.plan().indexes().stream().filter(ix -> !built.contains(ix.shadowName())).toList();
    if (!remaining.isEmpty()) {
      // The log holds every change made during the copy: those are replayed first, over as many
      // steps as it takes, so a unique index is built over rows that are current, not ones a batch
      // copied before a value moved between them. Later changes are replayed as they come.
      // (A plan stored before the copy in ranges has its key from the start, a log of its own
      // format, and builds over whatever replay reached, as it always did.)
      long left = key == null ? 0 : ReplayHorizon.left(ctx);
      if (left > 0) {
        return new StepResult.Progress(
            phase(), "replaying the copy's changes: " + left + " log entries to go");
      }
      return buildIndexes(ctx, remaining);
    }
    if (!m.analyzed()) {
      ctx.tx(
          c -> {
            Tx.execute(c, ctx.plan().analyze());
            ctx.ledger().update(m.id()).set("analyzed = true").execute(c, ctx.now());
            return null;
          });
      ctx.reload();
      return new StepResult.Progress(phase(), "statistics gathered");
    }
    if (!m.verifyDone()) {
      // The copy's ranges side by side, then the keys above the copy's end in key order from
      // there. Under a rate limit, or for a copy in one range, all of it in small chunks in key
      // order, which keeps the reads even and no snapshot long.
      CopyRanges.Totals ranges = CopyRanges.totals(ctx.conn(), m.id());
      boolean side =
          !Pacing.gentle(ctx.spec().backfill().maxRowsPerSecond())
              && ranges.ranges() > 1
              && !ranges.allVerified();
      return side ? RangeVerification.step(ctx, all) : verifyInOrder(ctx, all);
    }
    if (!m.extrasBuilt() && !ctx.plan().syncExtras().isEmpty()) {
      // Built last, from the verified shadow, so they are as fresh as possible at the swap.
      Tx.run(
          ctx.conn(),
          ctx.lockTimeout(),
          ctx.settings().indexBuildTimeout(),
          c -> {
            for (String sql : ctx.plan().syncExtras()) {
              Tx.execute(c, sql);
            }
            ctx.ledger().update(m.id()).set("extras_built = true").execute(c, ctx.now());
            return null;
          });
      ctx.reload();
      return new StepResult.Progress(phase(), "materialized views built over the new table");
    }
    long backlog = Tx.queryLong(ctx.conn(), ctx.plan().logBacklog());
    if (backlog > ctx.settings().cutoverBacklog()) {
      return new StepResult.Progress(
          phase(), "catching up: " + backlog + " changed keys to replay");
    }
    MigrationPhase next =
        ctx.spec().cutover().mode() == MigrationSpec.CutoverMode.Manual
            ? MigrationPhase.AwaitingCutover
            : MigrationPhase.CuttingOver;
    ctx.transition(next);
    return new StepResult.Progress(next, "in sync and verified");
  }

  /** Builds the next indexes, side by side on the step's workers where they can be. */
  private StepResult buildIndexes(StepContext ctx, List<IndexBuild> remaining) throws SQLException {
    List<IndexBuild> now = IndexBuilds.next(remaining, ctx.workers());
    try {
      if (now.size() == 1) {
        IndexBuilds.build(ctx, ctx.conn(), now.get(0), true, true);
      } else {
        Workers.run(
            ctx,
            now.size(),
            (session, worker, crew) -> {
              IndexBuilds.build(ctx, session, now.get(worker), true, false);
              return null;
            });
      }
    } catch (IndexBuilds.Duplicates d) {
      EngineException e = IndexBuilds.duplicates(ctx, d);
      if (e != null) {
        throw e;
      }
    }
    ctx.reload();
    return new StepResult.Progress(
        phase(),
        (now.size() == 1 ? "built index " : "built indexes ")
            + now.stream().map(IndexBuild::finalName).collect(Collectors.joining(", ")));
  }

  /**
   * Verification of a migration copied before key ranges existed: chunk after chunk in key order,
   * from the cursor in the ledger.
   */
  private StepResult verifyInOrder(StepContext ctx, KeyRange all) throws SQLException {
    MigrationRecord m = ctx.record();
    long maxRate = ctx.spec().backfill().maxRowsPerSecond();
    var cursor = m.verifyCursor();
    int chunkSize = Pacing.verifyChunk(ctx.settings().verifyChunk(), maxRate);
    while (true) {
      long started = System.nanoTime();
      Verifier.Chunk chunk;
      try {
        chunk =
            Verifier.verifyChunk(
                ctx.conn(), ctx.plan(), cursor, chunkSize, ctx.settings().ddlTimeout());
      } catch (EngineException e) {
        // An application TRUNCATE logs no keys: until replay applies its marker, every row of
        // the shadow differs. Apply it and compare the chunk again.
        if (!ctx.logsTruncations() || !ctx.tx(c -> Truncations.pending(c, ctx.logSql(false)))) {
          throw e;
        }
        Replays.forward(ctx, all);
        continue;
      }
      ctx.ledger()
          .update(m.id())
          .set("verify_cursor = ?", chunk.next())
          .set("verify_done = ?", chunk.done())
          .set("rows_verified = rows_verified + ?", chunk.rows())
          .execute(ctx.conn(), ctx.now());
      cursor = chunk.next();
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;
      var pause = Pacing.after(phase(), chunk.rows(), elapsedMs, maxRate);
      if (chunk.done() || ctx.budgetSpent() || pause.isPresent()) {
        ctx.reload();
        return pause
            .filter(p -> !chunk.done())
            .orElseGet(
                () ->
                    new StepResult.Progress(
                        phase(), ctx.record().rowsVerified() + " rows verified"));
      }
      Replays.forward(ctx, all);
    }
  }

  @Override
  public StepResult cancel(StepContext ctx) throws SQLException {
    return Cleanup.toPhase(ctx, MigrationPhase.Cancelled);
  }
}
