package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.ColumnInfo;
import dev.inflight.engine.catalog.TableInfo;
import dev.inflight.engine.change.ShadowDesign;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shadow as the changes left it in the planning transaction.
 *
 * @param base the statements creating it like the original
 * @param partitions a partitioned table's: its partitions, created after the changes
 * @param ownership its owner, grants and comment, copied from the original
 * @param laterChecks the original's NOT VALID checks, left out of the copy and added back, still
 *     NOT VALID, in the swap
 * @param table the shadow as read back from the catalog
 */
record DesignedShadow(
    ShadowDesign design,
    List<String> base,
    List<String> partitions,
    List<String> ownership,
    List<String> laterChecks,
    long oid,
    TableInfo table) {

  /** Each original column's name on the new table; dropped columns are absent. */
  Map<String, String> finalColumns() {
    Map<String, String> out = new HashMap<>();
    for (ShadowDesign.Column column : design.columns().values()) {
      if (column.source() != null) {
        out.put(column.source(), column.name());
      }
    }
    return out;
  }

  /** True when the new table's columns differ from the original's in name, type or order. */
  boolean columnListChanges(TableInfo original) {
    return !signature(original).equals(signature(table));
  }

  private static List<String> signature(TableInfo t) {
    return t.columns().stream().map(c -> c.name() + " " + c.type()).toList();
  }

  static List<String> insertable(TableInfo t) {
    return t.columns().stream().filter(c -> !c.isGenerated()).map(ColumnInfo::name).toList();
  }
}
