package dev.inflight.engine.phase;

import dev.inflight.engine.plan.Names;
import dev.inflight.engine.sync.CaptureStamp;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * What both swaps check once they hold their locks and before they replay or rename anything: the
 * capture that fed the table they are about to bring live has been intact all along, nothing that
 * depends on the live table changed since the capture began, and the log holds no more than the
 * drain bound. {@code reverse} is the rollback's direction.
 */
final class SwapGuards {
  private SwapGuards() {}

  static void check(Connection c, StepContext ctx, boolean reverse) throws SQLException {
    long id = ctx.record().id();
    CaptureStamp.requireIntact(
        c,
        ctx.tableSql(),
        reverse ? Names.reverseTrigger("") : Names.captureTrigger(""),
        ctx.captureFunctionSql(reverse),
        ctx.ledger().captureStamp(c, id, reverse));
    DependentsCheck.require(c, ctx.tableSql(), ctx.ledger().dependents(c, id, reverse));
    DrainBound.require(c, ctx.logSql(reverse), ctx.settings().cutoverBacklog());
  }
}
