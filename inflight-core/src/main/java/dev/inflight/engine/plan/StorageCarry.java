package dev.inflight.engine.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * Storage parameters of the table and its TOAST table, and per-column statistics targets: set on
 * the shadow as soon as it exists, so the copy is written as the original was and the swap has
 * nothing to do.
 */
final class StorageCarry implements CarriedKind {
  private final CarryScope scope;

  StorageCarry(CarryScope scope) {
    this.scope = scope;
  }

  @Override
  public List<String> shadowSettings() {
    List<String> out = new ArrayList<>();
    String shadow = scope.shadowSql;
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
    return out;
  }

  @Override
  public List<String> swap(Direction direction) {
    return List.of();
  }
}
