package dev.inflight.engine.catalog;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a partitioned table's partitions have of their own, one line per object, each starting
 * {@code partition <name>}: first each partition and its bound, then its owner, privileges,
 * comment, storage parameters and tablespace (which the shadow's partitions are built with), then
 * the objects a partition can have apart from the table's (an index, a trigger or constraint of its
 * own, a policy, a view or foreign key naming the partition, a publication, extended statistics, a
 * column default or NOT NULL of its own, a replica identity, unlogged storage). Objects the table
 * has and its partitions inherit (attached indexes, cloned triggers and constraints) are not
 * listed: they follow the table.
 */
public final class PartitionLocals {
  /** The prefix of every line. */
  public static final String PREFIX = "partition ";

  /** Lines of objects a migration of the tree does not build on the new partitions. */
  private static final String OBJECTS =
      "SELECT line FROM ("
          + " SELECT c.oid AS rel, 'has its own index ' || ic.relname || ': ' || pg_get_indexdef(i.indexrelid) AS line"
          + "   FROM pg_class c JOIN pg_index i ON i.indrelid = c.oid JOIN pg_class ic ON ic.oid = i.indexrelid"
          + "   WHERE c.oid = ANY (?1) AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)"
          + " UNION ALL SELECT t.tgrelid, 'has its own trigger ' || t.tgname || ': ' || pg_get_triggerdef(t.oid)"
          + "   FROM pg_trigger t WHERE t.tgrelid = ANY (?1) AND NOT t.tgisinternal AND t.tgparentid = 0"
          + "   AND NOT starts_with(t.tgname, 'inflight_')"
          + " UNION ALL SELECT t.tgrelid, 'has trigger ' || t.tgname || ' in state ' || t.tgenabled::text"
          + "   FROM pg_trigger t WHERE t.tgrelid = ANY (?1) AND NOT t.tgisinternal AND t.tgparentid <> 0"
          + "   AND t.tgenabled <> (SELECT p.tgenabled FROM pg_trigger p WHERE p.oid = t.tgparentid)"
          + " UNION ALL SELECT k.conrelid, 'has its own constraint ' || k.conname || ': ' || pg_get_constraintdef(k.oid)"
          + "   FROM pg_constraint k WHERE k.conrelid = ANY (?1) AND k.conparentid = 0 AND k.coninhcount = 0"
          + "   AND k.contype <> 'n'"
          + " UNION ALL SELECT k.confrelid, 'is referenced by foreign key ' || k.conname || ' of '"
          + "   || k.conrelid::regclass::text FROM pg_constraint k"
          + "   WHERE k.confrelid = ANY (?1) AND k.conparentid = 0"
          + " UNION ALL SELECT p.polrelid, 'has its own policy ' || p.polname FROM pg_policy p WHERE p.polrelid = ANY (?1)"
          + " UNION ALL SELECT c.oid, 'has row security enabled' FROM pg_class c"
          + "   WHERE c.oid = ANY (?1) AND (c.relrowsecurity OR c.relforcerowsecurity)"
          + " UNION ALL SELECT d.refobjid, 'is used by ' || r.ev_class::regclass::text FROM pg_depend d"
          + "   JOIN pg_rewrite r ON r.oid = d.objid WHERE d.classid = 'pg_rewrite'::regclass"
          + "   AND d.refobjid = ANY (?1) AND r.ev_class <> d.refobjid"
          + " UNION ALL SELECT r.prrelid, 'is in publication ' || p.pubname FROM pg_publication_rel r"
          + "   JOIN pg_publication p ON p.oid = r.prpubid WHERE r.prrelid = ANY (?1)"
          + " UNION ALL SELECT s.stxrelid, 'has its own statistics ' || s.stxname FROM pg_statistic_ext s"
          + "   WHERE s.stxrelid = ANY (?1)"
          + " UNION ALL SELECT c.oid, 'has replica identity ' || c.relreplident::text FROM pg_class c"
          + "   WHERE c.oid = ANY (?1) AND c.relreplident <> 'd'"
          + " UNION ALL SELECT c.oid, 'is unlogged' FROM pg_class c WHERE c.oid = ANY (?1) AND c.relpersistence = 'u'"
          + " UNION ALL SELECT a.attrelid, 'has its own ' || CASE WHEN a.attnotnull AND NOT pa.attnotnull"
          + "   THEN 'NOT NULL' ELSE 'default' END || ' on column ' || a.attname"
          + "   FROM pg_attribute a JOIN pg_inherits h ON h.inhrelid = a.attrelid"
          + "   JOIN pg_attribute pa ON pa.attrelid = h.inhparent AND pa.attname = a.attname"
          + "   WHERE a.attrelid = ANY (?1) AND a.attnum > 0 AND NOT a.attisdropped"
          + "   AND ((a.attnotnull AND NOT pa.attnotnull)"
          + "     OR (SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum)"
          + "     IS DISTINCT FROM (SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d"
          + "       WHERE d.adrelid = pa.attrelid AND d.adnum = pa.attnum))"
          + ") AS o JOIN pg_class c ON c.oid = o.rel"
          + " ORDER BY 1";

  /** Lines of what the shadow's partitions are built with, so a change to one is seen. */
  private static final String SETTINGS =
      "SELECT c.oid::regclass::text || ': ' || pg_get_expr(c.relpartbound, c.oid)"
          + " || ', owner ' || pg_get_userbyid(c.relowner) || ', grants ' || coalesce(c.relacl::text, 'default')"
          + " || coalesce(', storage ' || array_to_string(c.reloptions, ', '), '')"
          + " || coalesce(', tablespace ' || (SELECT s.spcname FROM pg_tablespace s WHERE s.oid = c.reltablespace), '')"
          + " || coalesce(', comment ' || obj_description(c.oid, 'pg_class'), '')"
          + " FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid WHERE h.inhparent = ?"
          + " ORDER BY 1";

  private PartitionLocals() {}

  /** The objects of the tree's partitions that are not the table's, as refusal reasons. */
  public static List<String> objects(Connection conn, PartitionTree tree) throws SQLException {
    List<Long> partitions =
        tree.relations().stream()
            .filter(p -> p.level() > 0)
            .map(PartitionTree.Partition::oid)
            .toList();
    if (partitions.isEmpty()) {
      return List.of();
    }
    String sql =
        OBJECTS.replace(
            "SELECT line FROM (", "SELECT DISTINCT c.oid::regclass::text || ' ' || o.line FROM (");
    int uses = sql.split("\\?1", -1).length - 1;
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(sql.replace("?1", "?"))) {
      Array oids = conn.createArrayOf("oid", partitions.toArray(Long[]::new));
      for (int i = 1; i <= uses; i++) {
        ps.setArray(i, oids);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /**
   * Every line: the partitions with their settings, then their objects; compared under the swap's
   * lock, so partitions attached, detached or changed during the migration stop it.
   */
  public static List<String> lines(Connection conn, long root) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(SETTINGS)) {
      ps.setLong(1, root);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(PREFIX + rs.getString(1));
        }
      }
    }
    for (String object : objects(conn, PartitionTree.read(conn, root))) {
      out.add(PREFIX + object);
    }
    return out;
  }
}
