package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.PartitionTree;
import dev.inflight.engine.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One partition of a partitioned table as the plan handles it: the shadow has a partition with the
 * same bound under a derived name, the swap gives each side's partitions and their indexes the
 * other's names, so that applications and tools that name a partition find it after the cut-over
 * and after a rollback.
 *
 * @param schema the partition's schema (a partition may live outside its table's schema)
 * @param name the partition's name, on the original table and, after cut-over, on the new one
 * @param bound its bound as PostgreSQL prints it ({@code FOR VALUES ...}, {@code DEFAULT})
 * @param indexes the partition's indexes on the original table, each attached to one of the table's
 *     own, by the name of that index: {@code events_pkey -> events_2024_pkey}
 */
public record PartitionPlan(String schema, String name, String bound, Map<String, String> indexes) {

  /** The partition, quoted for SQL. */
  public String sql() {
    return Sql.qualified(schema, name);
  }

  /** The shadow's partition with the same bound. */
  public String shadowName() {
    return Names.suffixed(name, Names.NEW);
  }

  public String shadowSql() {
    return Sql.qualified(schema, shadowName());
  }

  /** The original partition after cut-over. */
  public String archivedName() {
    return Names.suffixed(name, Names.OLD);
  }

  public String archivedSql() {
    return Sql.qualified(schema, archivedName());
  }

  /**
   * The name the new table's partition index for the table index {@code finalIndex} has after the
   * cut-over: the original partition's index's, when there is one for it, so that it keeps its
   * name; else one derived from the partition and the index.
   *
   * @param sourceIndex the original table's index the new one is built from; null for a new index
   */
  public String finalIndexName(String finalIndex, String sourceIndex) {
    String kept = sourceIndex == null ? null : indexes.get(sourceIndex);
    return kept != null ? kept : Names.suffixed(name + "_" + finalIndex, "");
  }

  /** The partitions of a tree (one level), each with its indexes. */
  static List<PartitionPlan> of(Connection conn, PartitionTree tree) throws SQLException {
    List<PartitionPlan> out = new ArrayList<>();
    for (PartitionTree.Partition p : tree.partitions()) {
      out.add(new PartitionPlan(p.schema(), p.name(), p.bound(), indexes(conn, p.oid())));
    }
    return List.copyOf(out);
  }

  /** A partition's indexes that are attached to an index of its parent, by the parent's name. */
  private static Map<String, String> indexes(Connection conn, long partition) throws SQLException {
    Map<String, String> out = new LinkedHashMap<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT pc.relname, ic.relname FROM pg_index i"
                + " JOIN pg_class ic ON ic.oid = i.indexrelid"
                + " JOIN pg_inherits h ON h.inhrelid = i.indexrelid"
                + " JOIN pg_class pc ON pc.oid = h.inhparent"
                + " WHERE i.indrelid = ? ORDER BY pc.relname")) {
      ps.setLong(1, partition);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return out;
  }
}
