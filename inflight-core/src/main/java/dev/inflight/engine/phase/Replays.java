package dev.inflight.engine.phase;

import dev.inflight.engine.EngineException;
import dev.inflight.engine.sync.KeyRange;
import dev.inflight.engine.sync.RowMover;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.List;

/**
 * Drains the change logs. Each replay statement commits with the counter that records it, so a kill
 * between statements loses nothing and repeats nothing (a replayed key is gone from the log).
 */
final class Replays {
  private Replays() {}

  /** The forward log: changes on the original table, applied to the shadow. */
  static long forward(StepContext ctx, KeyRange range) throws SQLException {
    return drain(ctx, ctx.plan().replayBatch(), ctx.plan().replayAll(), range, false);
  }

  /** The reverse log: changes on the new table, applied to the archived one. */
  static long reverse(StepContext ctx) throws SQLException {
    return drain(ctx, ctx.plan().reverseReplayBatch(), ctx.plan().reverseReplayAll(), null, true);
  }

  /** Replays until the log is short of a full batch or the step's budget is spent. */
  private static long drain(
      StepContext ctx, String sql, String allSql, KeyRange range, boolean reverse)
      throws SQLException {
    long total = 0;
    int batch = ctx.settings().replayBatch();
    String log = ctx.logSql(reverse);
    String target = reverse ? ctx.archivedSql() : ctx.shadowSql();
    while (true) {
      if (ctx.logsTruncations()) {
        ctx.tx(c -> Truncations.apply(c, log, target, ctx.truncatedPartitions(reverse)));
      }
      RowMover.ReplayResult r = once(ctx, sql, allSql, batch, range, reverse);
      total += r.keys();
      if ((r.consumed() < batch && !pendingMarker(ctx, log)) || ctx.budgetSpent()) {
        return total;
      }
    }
  }

  /**
   * Replays everything, inside the caller's transaction (the swap, under its lock). Writers are
   * locked out, so a statement that consumes less than it asked for has emptied the log. A batch
   * that meets a unique value moved between rows (see {@link #once}) is sent back, through a
   * savepoint, and the whole log replayed at once.
   */
  static void all(
      Connection conn,
      String sql,
      String allSql,
      int batch,
      KeyRange range,
      int width,
      String logSql,
      String targetSql,
      List<String> partitions)
      throws SQLException {
    int singles = 0;
    while (true) {
      if (logSql != null && Truncations.apply(conn, logSql, targetSql, partitions)) {
        continue;
      }
      int size = singles > 0 ? 1 : batch;
      Savepoint sp = conn.setSavepoint();
      long consumed;
      try {
        consumed = RowMover.replay(conn, sql, size, range, width).consumed();
        conn.releaseSavepoint(sp);
      } catch (SQLException e) {
        if (!"23505".equals(e.getSQLState()) || size == 1) {
          throw e;
        }
        conn.rollback(sp);
        if (allSql == null) {
          // A plan stored before the whole-log replay existed: one entry at a time, in log order.
          singles = batch;
        } else {
          replayAll(conn, allSql, range, width);
        }
        continue;
      }
      if (consumed < size) {
        // Replay stops in front of a partition's marker, which applies once it is first.
        if (logSql != null && Truncations.apply(conn, logSql, targetSql, partitions)) {
          continue;
        }
        return;
      }
      singles = Math.max(0, singles - 1);
    }
  }

  /** True when a TRUNCATE marker waits in the log (a short replay stopped in front of it). */
  private static boolean pendingMarker(StepContext ctx, String log) throws SQLException {
    return ctx.logsTruncations() && ctx.tx(c -> Truncations.pending(c, log));
  }

  private static RowMover.ReplayResult once(
      StepContext ctx, String sql, String allSql, int batch, KeyRange range, boolean reverse)
      throws SQLException {
    int width = ctx.plan().key().size();
    try {
      return apply(ctx, sql, batch, range, reverse, width);
    } catch (SQLException e) {
      if (!"23505".equals(e.getSQLState())) {
        throw e;
      }
      // A unique index of the target saw two rows in an order the source never had: a unique
      // value moved from one row to another, and the other row's entry is elsewhere in the log
      // or later in this batch. The whole log at once is a state the source had.
      if (allSql != null) {
        return ctx.tx(
            c -> {
              RowMover.ReplayResult r = replayAll(c, allSql, range, width);
              count(ctx, c, r, reverse);
              return r;
            });
      }
      return singles(ctx, sql, batch, range, reverse, width);
    }
  }

  /** The whole log in one statement; a unique violation there is a duplicate in the data. */
  private static RowMover.ReplayResult replayAll(
      Connection c, String allSql, KeyRange range, int width) throws SQLException {
    try {
      return RowMover.replay(c, allSql, Integer.MAX_VALUE, range, width);
    } catch (SQLException e) {
      if ("23505".equals(e.getSQLState())) {
        throw EngineException.permanent(
            "rows of the table break a unique index of the table they are copied to ("
                // The detail names the duplicated key.
                + String.valueOf(e.getMessage()).replaceAll("\\s*\\n\\s*", " ")
                + ")");
      }
      throw e;
    }
  }

  /** Before the whole-log replay existed: one entry at a time, in log order. */
  private static RowMover.ReplayResult singles(
      StepContext ctx, String sql, int batch, KeyRange range, boolean reverse, int width)
      throws SQLException {
    RowMover.ReplayResult total = new RowMover.ReplayResult(0, 0, 0, 0);
    for (int i = 0; i < batch; i++) {
      RowMover.ReplayResult r;
      try {
        r = apply(ctx, sql, 1, range, reverse, width);
      } catch (SQLException single) {
        if ("23505".equals(single.getSQLState())) {
          throw new EngineException(
              "replay waits for a conflicting change to commit: " + single.getMessage(),
              true,
              "23505",
              single);
        }
        throw single;
      }
      total =
          new RowMover.ReplayResult(
              total.consumed() + r.consumed(),
              total.keys() + r.keys(),
              total.deleted() + r.deleted(),
              total.upserted() + r.upserted());
      if (r.consumed() == 0) {
        break;
      }
    }
    return total;
  }

  private static RowMover.ReplayResult apply(
      StepContext ctx, String sql, int batch, KeyRange range, boolean reverse, int width)
      throws SQLException {
    return ctx.tx(
        c -> {
          RowMover.ReplayResult r = RowMover.replay(c, sql, batch, range, width);
          count(ctx, c, r, reverse);
          return r;
        });
  }

  /** Records a replay's keys in the statement's own transaction. */
  private static void count(StepContext ctx, Connection c, RowMover.ReplayResult r, boolean reverse)
      throws SQLException {
    if (r.consumed() > 0) {
      ctx.ledger()
          .update(ctx.record().id())
          .set(
              reverse
                  ? "rows_replayed_back = rows_replayed_back + ?"
                  : "rows_replayed = rows_replayed + ?",
              r.keys())
          .execute(c, ctx.now());
    }
  }
}
