package dev.inflight.engine.phase;

import dev.inflight.engine.catalog.CatalogReader;
import dev.inflight.engine.catalog.TableSnapshot;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * After a swap: the live table compared with what it must be, the planned shape after a cut-over
 * and exactly the original after a rollback. The outcome is recorded in the ledger and shown in the
 * status; a difference does not undo anything (the swap is done) but is reported loudly.
 */
final class CatalogCheck {
  /** Recorded when the live table looks exactly as expected. */
  static final String IDENTICAL = "identical";

  private CatalogCheck() {}

  /** Compares now; returns the differences (empty when identical). */
  static List<String> compare(StepContext ctx, boolean afterRollback) throws SQLException {
    Map<String, List<String>> expected =
        afterRollback ? ctx.plan().originalSnapshot() : ctx.plan().expectedSnapshot();
    if (expected == null) {
      return List.of();
    }
    CatalogReader catalog = new CatalogReader(ctx.conn());
    long oid = catalog.resolve(ctx.tableSql()).oid();
    return TableSnapshot.differences(expected, TableSnapshot.read(ctx.conn(), oid, x -> x));
  }

  /** Runs the comparison once after a swap and records it. */
  static void record(StepContext ctx, boolean afterRollback) throws SQLException {
    if (ctx.record().catalogCheck() != null || ctx.record().postSwapPending()) {
      return;
    }
    List<String> diff = compare(ctx, afterRollback);
    ctx.ledger()
        .update(ctx.record().id())
        .set("catalog_check = ?", diff.isEmpty() ? IDENTICAL : String.join("\n", diff))
        .execute(ctx.conn(), ctx.now());
    ctx.reload();
  }
}
