package dev.inflight.engine.phase;

import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.StepResult.WaitReason;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.engine.sql.Errors;
import dev.inflight.engine.sql.Tx;
import dev.inflight.engine.sync.LockProbe;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * RollingBack. Pre: Completed with the reverse log replayable. Advance: catches up on the reverse
 * log, then, as the cut-over but backwards, in one transaction bounded by {@code lockTimeout}: lock
 * both tables, replay the rest, give the original table back its name, index names and sequences,
 * and drop the new table. No write made after cut-over is lost: each is in the archived table
 * before the swap commits. Post: RolledBack, or nothing changed. A rollback in progress is not
 * undone by another action; {@link #rollback} continues it.
 */
final class RollingBackPhase implements PhaseStep.AfterCutover {
  @Override
  public MigrationPhase phase() {
    return MigrationPhase.RollingBack;
  }

  @Override
  public Observation observe(StepContext ctx) throws SQLException {
    return new Observation(Tx.queryLong(ctx.conn(), ctx.plan().reverseLogBacklog()));
  }

  @Override
  public StepResult advance(StepContext ctx) throws SQLException {
    MigrationRecord m = ctx.record();
    String error = CompletedPhase.reverseReplay(ctx);
    if (error != null) {
      ctx.transition(MigrationPhase.Completed);
      return new StepResult.Waiting(
          MigrationPhase.Completed, WaitReason.RollbackUnavailable, Duration.ofSeconds(10), error);
    }
    long backlog = Tx.queryLong(ctx.conn(), ctx.plan().reverseLogBacklog());
    if (backlog > ctx.settings().cutoverBacklog()) {
      return new StepResult.Progress(
          phase(), "catching up before the swap back: " + backlog + " changed keys");
    }
    List<String> blockers =
        new ArrayList<>(
            LockProbe.blockers(
                ctx.conn(),
                ctx.swapTables(ctx.archivedSql()),
                List.of(ctx.archivedSql()),
                ctx.lockTimeout()));
    blockers.addAll(LockProbe.snapshotHolders(ctx.conn()));
    if (!blockers.isEmpty()) {
      return attemptFailed(ctx, "blocked by " + String.join("; ", blockers), 0);
    }
    long start = System.nanoTime();
    try {
      ctx.tx(
          c -> {
            Tx.setLocal(
                c,
                "idle_in_transaction_session_timeout",
                Math.max(10_000, ctx.lockTimeout().toMillis() * 5) + "ms");
            SwapLocks.acquire(
                c,
                ctx.archivedSql(),
                ctx.plan().locksFirst(),
                ctx.plan().rollbackLock(),
                ctx.lockTimeout());
            SwapGuards.check(c, ctx, true);
            Replays.all(
                c,
                ctx.plan().reverseReplayBatch(),
                ctx.plan().reverseReplayAll(),
                ctx.settings().replayBatch(),
                null,
                ctx.plan().key().size(),
                ctx.logsTruncations() ? ctx.logSql(true) : null,
                ctx.archivedSql());
            for (String sql : ctx.plan().rollbackSwap()) {
              Tx.execute(c, sql);
            }
            long blocked = (System.nanoTime() - start) / 1_000_000;
            ctx.ledger()
                .update(m.id())
                .set("rollback_attempts = rollback_attempts + 1")
                .set("rollback_blocked_ms = greatest(rollback_blocked_ms, ?)", blocked)
                .set("post_swap_pending = ?", !ctx.plan().validateAfterRollback().isEmpty())
                .set("catalog_check = NULL")
                .phase(m, MigrationPhase.RolledBack, ctx.now())
                .execute(c, ctx.now());
            ctx.ledger()
                .recordHistory(
                    c,
                    ctx.reload(),
                    MigrationPhase.RolledBack.name(),
                    ctx.changesJson(),
                    ctx.now());
            return null;
          });
    } catch (DrainBound.Exceeded e) {
      return attemptFailed(
          ctx,
          e.getMessage() + "; catching up outside the lock",
          (System.nanoTime() - start) / 1_000_000);
    } catch (SQLException e) {
      if (Errors.lockTimeout(e)) {
        return attemptFailed(
            ctx,
            "lock not granted within " + ctx.lockTimeout().toMillis() + "ms",
            (System.nanoTime() - start) / 1_000_000);
      }
      throw e;
    }
    // As at cut-over: the value committed with the swap, then raised by the commit's own time.
    long blocked = (System.nanoTime() - start) / 1_000_000;
    ctx.ledger()
        .update(m.id())
        .set("rollback_blocked_ms = greatest(rollback_blocked_ms, ?)", blocked)
        .execute(ctx.conn(), ctx.now());
    ctx.reload();
    PostSwap.validate(ctx, true);
    CatalogCheck.record(ctx, true);
    return new StepResult.Done(
        MigrationPhase.RolledBack, "rolled back; writes waited at most " + blocked + "ms");
  }

  private static StepResult attemptFailed(StepContext ctx, String why, long blockedMs)
      throws SQLException {
    MigrationRecord m = ctx.record();
    ctx.ledger()
        .update(m.id())
        .set("rollback_attempts = rollback_attempts + 1")
        .set("rollback_blocked_ms = greatest(rollback_blocked_ms, ?)", blockedMs)
        .set("last_error = ?", "rollback: " + why)
        .execute(ctx.conn(), ctx.now());
    ctx.reload();
    return new StepResult.Waiting(
        MigrationPhase.RollingBack,
        WaitReason.LockContention,
        ctx.backoff().delay(m.rollbackAttempts()),
        "rollback attempt " + (m.rollbackAttempts() + 1) + ": " + why);
  }

  @Override
  public StepResult rollback(StepContext ctx) throws SQLException {
    return advance(ctx);
  }
}
