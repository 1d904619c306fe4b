package dev.inflight.engine.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A partitioned table and every relation under it, half-detached partitions included: the root
 * first, then each level in turn, each level by name.
 *
 * @param relations the root (level 0), its partitions (level 1) and theirs
 */
public record PartitionTree(List<Partition> relations) {

  /**
   * One relation of the tree.
   *
   * @param parent the partitioned table it is a partition of ({@code schema.name}); null for the
   *     root
   * @param level 0 for the root, 1 for its partitions, 2 for theirs
   * @param kind {@code pg_class.relkind}: {@code p} partitioned, {@code r} table, {@code f} foreign
   * @param bound the partition bound as PostgreSQL prints it ({@code FOR VALUES FROM (...) TO
   *     (...)}, {@code DEFAULT}); null for the root
   * @param partitionKey for a partitioned relation, its key as PostgreSQL prints it ({@code RANGE
   *     (created_at)}); else null
   * @param keyExpressions whether that key has an expression rather than plain columns
   * @param foreignServer for a foreign table, the server its rows live on
   * @param detachPending whether a {@code DETACH PARTITION ... CONCURRENTLY} of it was interrupted
   *     and waits for {@code FINALIZE}
   */
  public record Partition(
      long oid,
      String schema,
      String name,
      String parent,
      int level,
      String kind,
      String bound,
      String partitionKey,
      boolean keyExpressions,
      String foreignServer,
      long estimatedRows,
      long totalBytes,
      boolean detachPending) {

    public String qualified() {
      return schema + "." + name;
    }

    public boolean partitioned() {
      return "p".equals(kind);
    }

    public boolean isDefault() {
      return "DEFAULT".equals(bound);
    }
  }

  public Partition root() {
    return relations.get(0);
  }

  /** The relations that hold rows: every relation that is not itself partitioned. */
  public List<Partition> leaves() {
    return relations.stream().filter(p -> !p.partitioned()).toList();
  }

  /** The partitions directly under the root. */
  public List<Partition> partitions() {
    return relations.stream().filter(p -> p.level() == 1).toList();
  }

  public Optional<Partition> defaultPartition() {
    return partitions().stream().filter(Partition::isDefault).findFirst();
  }

  public List<Long> oids() {
    return relations.stream().map(Partition::oid).toList();
  }

  /** Reads the tree under a partitioned table. */
  public static PartitionTree read(Connection conn, long root) throws SQLException {
    List<Partition> out = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            // pg_partition_tree leaves out a partition whose detach is pending; pg_inherits has it.
            "WITH RECURSIVE t (relid, parentrelid, level) AS (SELECT ?::oid, NULL::oid, 0"
                + "   UNION ALL SELECT h.inhrelid, h.inhparent, t.level + 1 FROM pg_inherits h"
                + "   JOIN t ON h.inhparent = t.relid)"
                + " SELECT t.relid, n.nspname, c.relname, pn.nspname || '.' || pc.relname, t.level,"
                + " c.relkind::text, pg_get_expr(c.relpartbound, c.oid),"
                + " CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,"
                + " coalesce((SELECT k.partexprs IS NOT NULL FROM pg_partitioned_table k WHERE k.partrelid = c.oid), false),"
                + " (SELECT s.srvname FROM pg_foreign_table f JOIN pg_foreign_server s ON s.oid = f.ftserver"
                + "   WHERE f.ftrelid = c.oid),"
                + " greatest(c.reltuples, 0)::bigint, pg_total_relation_size(c.oid),"
                + " coalesce((SELECT h.inhdetachpending FROM pg_inherits h WHERE h.inhrelid = c.oid), false)"
                + " FROM t JOIN pg_class c ON c.oid = t.relid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " LEFT JOIN pg_class pc ON pc.oid = t.parentrelid"
                + " LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace"
                + " ORDER BY t.level, n.nspname, c.relname")) {
      ps.setLong(1, root);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Partition(
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getInt(5),
                  rs.getString(6),
                  rs.getString(7),
                  rs.getString(8),
                  rs.getBoolean(9),
                  rs.getString(10),
                  rs.getLong(11),
                  rs.getLong(12),
                  rs.getBoolean(13)));
        }
      }
    }
    return new PartitionTree(List.copyOf(out));
  }
}
