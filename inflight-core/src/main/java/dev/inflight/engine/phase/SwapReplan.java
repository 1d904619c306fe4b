package dev.inflight.engine.phase;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.inflight.engine.EngineException;
import dev.inflight.engine.Json;
import dev.inflight.engine.PlanRejectedException;
import dev.inflight.engine.plan.Planner;
import java.sql.SQLException;
import java.util.List;

/**
 * What the cut-over does when what depends on the table changed during the migration ({@link
 * DependentsCheck.Changed}): its attempt is given up (lock released, nothing swapped) and the swaps
 * are planned again from the catalog as it is now ({@link Planner#replanSwaps}). The new swaps, and
 * the dependents they were planned against, are recorded in the ledger, where every later step
 * reads them instead of the stored plan's; the next attempt carries the new objects. Someone who
 * keeps changing the table's dependents could make this go on forever, so it is done at most {@link
 * #MAX_REPLANS} times.
 */
final class SwapReplan {
  /** Plans of the swap after the first, at most. */
  static final int MAX_REPLANS = 5;

  private SwapReplan() {}

  /** Plans the swaps again; returns why, for the attempt's record and the status. */
  static String run(StepContext ctx, List<String> changes) throws SQLException {
    long id = ctx.record().id();
    String what =
        "objects that depend on "
            + ctx.tableSql()
            + " changed during the migration ("
            + String.join("; ", changes)
            + ")";
    int done = ctx.ledger().swapReplans(ctx.conn(), id);
    if (done >= MAX_REPLANS) {
      throw EngineException.permanent(
          what
              + "; the swap was already planned again "
              + done
              + " times and they keep changing, so nothing was swapped; start the migration again"
              + " once they are settled");
    }
    Planner.Replanned again;
    try {
      again = ctx.planner().replanSwaps(ctx.conn(), ctx.storedSpec(), ctx.plan());
    } catch (PlanRejectedException e) {
      throw EngineException.permanent(
          what
              + "; they cannot be carried to the new table ("
              + String.join("; ", e.reasons())
              + "), so nothing was swapped");
    }
    String swaps;
    try {
      swaps = Json.mapper().writeValueAsString(again.swaps());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    ctx.ledger()
        .update(id)
        .set("replanned_swaps = ?", swaps)
        .set("swap_replans = swap_replans + 1")
        .set("dependents = ?", again.dependents())
        .execute(ctx.conn(), ctx.now());
    ctx.reload();
    return what
        + "; the swap was planned again from the catalog to carry them ("
        + (done + 1)
        + "/"
        + MAX_REPLANS
        + ")";
  }
}
