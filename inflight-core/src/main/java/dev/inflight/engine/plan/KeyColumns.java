package dev.inflight.engine.plan;

import dev.inflight.engine.PlanRejectedException;
import dev.inflight.engine.catalog.TableInfo;
import dev.inflight.engine.change.ShadowDesign;
import java.util.ArrayList;
import java.util.List;

/** The primary key on both tables; rows are matched by it in both directions. */
final class KeyColumns {
  private KeyColumns() {}

  /**
   * Each key column under its name on the new table; refused when the changes move the key. A key
   * column's type carries its collation when that is not the type's default: the log's columns and
   * the bound keys then sort as the copy walks the table.
   */
  static List<KeyColumn> of(TableInfo source, DesignedShadow designed) {
    TableInfo shadow = designed.table();
    List<KeyColumn> key = new ArrayList<>();
    for (String column : source.primaryKey()) {
      ShadowDesign.Column renamed =
          designed.design().columns().values().stream()
              .filter(c -> column.equals(c.source()))
              .findFirst()
              .orElseThrow();
      key.add(
          new KeyColumn(
              column, source.keyTypeOf(column), renamed.name(), shadow.keyTypeOf(renamed.name())));
    }
    List<String> shadowKey = shadow.primaryKey();
    if (!shadowKey.equals(key.stream().map(KeyColumn::target).toList())) {
      throw new PlanRejectedException(
          "the primary key must stay the same columns (it is " + shadowKey + " after the changes)");
    }
    return List.copyOf(key);
  }
}
