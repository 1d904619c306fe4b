package dev.inflight.engine.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a table stands among other tables: the partitioned table it is a partition of, and the
 * tables it inherits from or that inherit from it with {@code INHERITS} (legacy inheritance, which
 * is not partitioning: neither side is a partition).
 *
 * @param partitionOf the partitioned table this table is a partition of ({@code schema.name}), or
 *     null
 * @param inheritsFrom the tables this one inherits from with {@code INHERITS}
 * @param inheritedBy the tables that inherit from this one with {@code INHERITS}
 */
public record Lineage(String partitionOf, List<String> inheritsFrom, List<String> inheritedBy) {

  public boolean legacyInheritance() {
    return !inheritsFrom.isEmpty() || !inheritedBy.isEmpty();
  }

  static Lineage read(Connection conn, long oid) throws SQLException {
    String partitionOf = null;
    List<String> from = new ArrayList<>();
    List<String> by = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT h.inhrelid = ?, c.relispartition, n.nspname || '.' || o.relname"
                + " FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid"
                + " JOIN pg_class o ON o.oid = CASE WHEN h.inhrelid = ? THEN h.inhparent ELSE h.inhrelid END"
                + " JOIN pg_namespace n ON n.oid = o.relnamespace"
                + " WHERE h.inhrelid = ? OR h.inhparent = ? ORDER BY 3")) {
      for (int i = 1; i <= 4; i++) {
        ps.setLong(i, oid);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          boolean upward = rs.getBoolean(1);
          boolean partition = rs.getBoolean(2);
          String other = rs.getString(3);
          if (upward && partition) {
            partitionOf = other;
          } else if (upward) {
            from.add(other);
          } else if (!partition) {
            by.add(other);
          }
        }
      }
    }
    return new Lineage(partitionOf, List.copyOf(from), List.copyOf(by));
  }
}
