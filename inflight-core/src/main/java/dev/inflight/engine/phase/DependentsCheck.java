package dev.inflight.engine.phase;

import dev.inflight.engine.EngineException;
import dev.inflight.engine.catalog.CatalogReader;
import dev.inflight.engine.catalog.Dependents;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Under the swap's lock: what depends on the live table must be what the plan carries, the list
 * recorded when the capture began (or when the swap was last planned again). An object created,
 * changed or dropped by someone else since (a view, a foreign key, a grant, a policy, a trigger, a
 * publication...) would be left attached to the archived table, or silently lost. At cut-over the
 * attempt is then given up with {@link Changed} and the swap planned again ({@link SwapReplan}), so
 * the next attempt carries it; an object of a kind no plan can carry, or any change at rollback,
 * fails the migration with the difference, nothing swapped.
 */
final class DependentsCheck {
  /** Thrown inside the swap's transaction, which it rolls back: plan the swap again. */
  static final class Changed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> changes;

    Changed(List<String> changes) {
      super(String.join("; ", changes));
      this.changes = List.copyOf(changes);
    }

    List<String> changes() {
      return changes;
    }
  }

  private DependentsCheck() {}

  /** The table's dependents now. */
  static List<String> read(Connection c, String tableSql) throws SQLException {
    return Dependents.of(c, new CatalogReader(c).resolve(tableSql).oid());
  }

  /**
   * Gives the attempt up ({@link Changed}) or fails the migration, nothing swapped, when the
   * dependents differ ({@code recorded} null: unknown, nothing to compare).
   */
  static void require(Connection c, String tableSql, List<String> recorded, boolean replannable)
      throws SQLException {
    if (recorded == null) {
      return;
    }
    List<String> changes = Dependents.changes(recorded, read(c, tableSql));
    if (replannable && !changes.isEmpty() && changes.stream().allMatch(Dependents::carried)) {
      throw new Changed(changes);
    }
    if (!changes.isEmpty()) {
      throw EngineException.permanent(
          "objects that depend on "
              + tableSql
              + " changed during the migration ("
              + String.join("; ", changes)
              + "); the swap would leave them on the archived table, so nothing was swapped;"
              + " start the migration again to carry them (planning names what no migration can"
              + " carry)");
    }
  }
}
