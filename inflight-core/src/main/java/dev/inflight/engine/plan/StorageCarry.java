package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.TableInfo;
import dev.inflight.engine.catalog.TableProperties;
import java.util.ArrayList;
import java.util.List;

/**
 * How the table is stored and planned: UNLOGGED, storage parameters of the table and its TOAST
 * table, per-column statistics targets and options ({@code n_distinct}); the columns' storage and
 * compression come with {@code CREATE TABLE ... LIKE}. All are set on the shadow as soon as it
 * exists, before the changes and the copy, so the copy is written as the original was and the swap
 * has nothing to do; the original keeps its own for a rollback.
 */
final class StorageCarry implements CarriedKind {
  private final CarryScope scope;
  private final boolean unlogged;

  StorageCarry(CarryScope scope, TableInfo table) {
    this.scope = scope;
    this.unlogged = "u".equals(table.persistence());
  }

  @Override
  public List<String> shadowSettings() {
    List<String> out = new ArrayList<>();
    String shadow = scope.shadowSql;
    if (unlogged) {
      // LIKE makes a logged table; this one is empty, so the rewrite costs nothing.
      out.add("ALTER TABLE " + shadow + " SET UNLOGGED");
    }
    if (!scope.props.reloptions().isEmpty()) {
      out.add(
          "ALTER TABLE " + shadow + " SET (" + String.join(", ", scope.props.reloptions()) + ")");
    }
    if (!scope.props.toastOptions().isEmpty()) {
      out.add(
          "ALTER TABLE "
              + shadow
              + " SET ("
              + String.join(
                  ", ", scope.props.toastOptions().stream().map(o -> "toast." + o).toList())
              + ")");
    }
    for (String target : scope.props.statisticsTargets()) {
      int eq = target.lastIndexOf('=');
      out.add(
          "ALTER TABLE "
              + shadow
              + " ALTER COLUMN "
              + target.substring(0, eq)
              + " SET STATISTICS "
              + target.substring(eq + 1));
    }
    for (TableProperties.Named options : scope.props.columnOptions()) {
      out.add(
          "ALTER TABLE "
              + shadow
              + " ALTER COLUMN "
              + options.name()
              + " SET ("
              + options.text()
              + ")");
    }
    return out;
  }

  @Override
  public List<String> swap(Direction direction) {
    return List.of();
  }
}
