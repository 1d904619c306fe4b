package dev.inflight.engine.phase;

import dev.inflight.api.MigrationSpec;
import dev.inflight.engine.EngineException;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.engine.plan.IndexBuild;
import dev.inflight.engine.sql.Tx;
import dev.inflight.engine.sync.KeyRange;
import dev.inflight.engine.sync.Verifier;
import java.sql.SQLException;

/**
 * Syncing. Pre: every row copied. Advance, one unit per step and replaying the log before each:
 * build the next secondary index on the shadow (no writer but this worker touches it, so a plain
 * build is safe and fastest), ANALYZE the shadow so the new table starts with statistics, verify
 * one key range, and once everything is verified and the backlog is short, move on to
 * AwaitingCutover (manual mode) or CuttingOver. With {@code maxRowsPerSecond}, verification keeps
 * to the same rate as the copy and index builds use no parallel workers. Cancel: drops the shadow,
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
    long maxRate = ctx.spec().backfill().maxRowsPerSecond();
    Replays.forward(ctx, all);
    if (m.indexesBuilt() < ctx.plan().indexes().size()) {
      IndexBuild ix = ctx.plan().indexes().get(m.indexesBuilt());
      try {
        Tx.run(
            ctx.conn(),
            ctx.lockTimeout(),
            ctx.settings().indexBuildTimeout(),
            c -> {
              if (Pacing.gentle(maxRate)) {
                // A parallel build takes every core it can get; a throttled migration leaves
                // the others to the application.
                Tx.execute(c, "SET LOCAL max_parallel_maintenance_workers = 0");
              }
              for (String sql : ix.statements()) {
                Tx.execute(c, sql);
              }
              ctx.ledger()
                  .update(m.id())
                  .set("indexes_built = indexes_built + 1")
                  .execute(c, ctx.now());
              return null;
            });
      } catch (SQLException e) {
        if ("23505".equals(e.getSQLState())) {
          // Duplicates can be transient: a key that changed value is still waiting in the log.
          // With the log replayed to the end and the duplicate still there, it is in the data.
          Replays.forward(ctx, all);
          if (Tx.queryLong(ctx.conn(), ctx.plan().logBacklog()) == 0) {
            throw EngineException.permanent(
                "unique index "
                    + ix.finalName()
                    + " cannot be built: the table's rows have duplicates ("
                    // The detail names the duplicated key.
                    + String.valueOf(e.getMessage()).replaceAll("\\s*\\n\\s*", " ")
                    + "); nothing was swapped");
          }
          throw new EngineException(
              "building unique index "
                  + ix.finalName()
                  + " found duplicates; replaying and trying again ("
                  + e.getMessage()
                  + ")",
              true,
              "23505",
              e);
        }
        throw e;
      }
      ctx.reload();
      return new StepResult.Progress(phase(), "built index " + ix.finalName());
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

  @Override
  public StepResult cancel(StepContext ctx) throws SQLException {
    return Cleanup.toPhase(ctx, MigrationPhase.Cancelled);
  }
}
