package dev.inflight.engine.phase;

import dev.inflight.engine.EngineException;
import dev.inflight.engine.catalog.CatalogReader;
import dev.inflight.engine.catalog.TableRef;
import dev.inflight.engine.plan.Direction;
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
        ctx.relationsSql(),
        reverse ? Names.reverseTrigger("") : Names.captureTrigger(""),
        ctx.captureFunctionSql(reverse),
        ctx.ledger().captureStamp(c, id, reverse));
    DependentsCheck.require(c, ctx.tableSql(), ctx.ledger().dependents(c, id, reverse), !reverse);
    DrainBound.require(c, ctx.logSql(reverse), ctx.settings().cutoverBacklog());
  }

  /**
   * Before the cut-over renames anything: the original table's shape is still the planned one, so a
   * table altered during the migration is never swapped for a shadow that lacks the alteration.
   */
  static void checkShape(Connection c, StepContext ctx, Direction direction) throws SQLException {
    if (direction != Direction.FORWARD) {
      return;
    }
    CatalogReader catalog = new CatalogReader(c);
    TableRef ref = catalog.resolve(ctx.tableSql());
    if (!catalog.fingerprint(ref.oid()).equals(ctx.plan().fingerprint())) {
      throw EngineException.permanent(
          ctx.record().table()
              + " was altered during the migration (its columns, constraints or indexes"
              + " differ from the plan); nothing was swapped; start the migration again");
    }
  }
}
