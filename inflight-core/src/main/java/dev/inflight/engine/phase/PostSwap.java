package dev.inflight.engine.phase;

import dev.inflight.engine.sql.Tx;
import java.sql.SQLException;

/**
 * After a swap commits: the foreign keys it attached as NOT VALID (so the swap needed no scan) are
 * validated again, each in its own transaction. Validation scans the tables but takes only locks
 * that let reads and writes go on.
 */
final class PostSwap {
  private PostSwap() {}

  static void validate(StepContext ctx, boolean afterRollback) throws SQLException {
    if (!ctx.record().postSwapPending()) {
      return;
    }
    for (String sql :
        afterRollback ? ctx.plan().validateAfterRollback() : ctx.plan().validateAfterSwap()) {
      Tx.run(
          ctx.conn(),
          ctx.lockTimeout(),
          ctx.settings().indexBuildTimeout(),
          c -> {
            Tx.execute(c, sql);
            return null;
          });
    }
    ctx.ledger()
        .update(ctx.record().id())
        .set("post_swap_pending = false")
        .execute(ctx.conn(), ctx.now());
    ctx.reload();
  }
}
