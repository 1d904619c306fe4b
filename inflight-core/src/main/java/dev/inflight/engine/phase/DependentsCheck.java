package dev.inflight.engine.phase;

import dev.inflight.engine.EngineException;
import dev.inflight.engine.catalog.CatalogReader;
import dev.inflight.engine.catalog.Dependents;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Under the swap's lock: what depends on the live table must be what the plan carries, the list
 * recorded when the capture began. An object created, changed or dropped by someone else since (a
 * view, a foreign key, a grant, a policy, a trigger, a publication...) would be left attached to
 * the archived table, or silently lost, so the swap refuses with the difference.
 */
final class DependentsCheck {
  private DependentsCheck() {}

  /** The table's dependents now. */
  static List<String> read(Connection c, String tableSql) throws SQLException {
    return Dependents.of(c, new CatalogReader(c).resolve(tableSql).oid());
  }

  /** Fails the migration, nothing swapped, when the dependents differ ({@code null}: unknown). */
  static void require(Connection c, String tableSql, List<String> recorded) throws SQLException {
    if (recorded == null) {
      return;
    }
    List<String> changes = Dependents.changes(recorded, read(c, tableSql));
    if (!changes.isEmpty()) {
      throw EngineException.permanent(
          "objects that depend on "
              + tableSql
              + " changed during the migration ("
              + String.join("; ", changes)
              + "); the swap would leave them on the archived table, so nothing was swapped;"
              + " start the migration again to carry them");
    }
  }
}
