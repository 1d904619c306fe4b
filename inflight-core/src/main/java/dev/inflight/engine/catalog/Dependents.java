package dev.inflight.engine.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What depends on a table besides its own columns, constraints and indexes, one line per object:
 * foreign keys of other tables, views and rules, policies, user triggers, grants, publications,
 * extended statistics, and anything else PostgreSQL records in {@code pg_depend} against it; and
 * the table's own settings that the shadow copied when it was built (owner, comments on the table,
 * its columns, indexes and constraints, replica identity, storage parameters, column options,
 * statistics targets, storage and compression). Some lines are of objects no swap can move (a
 * function's SQL body, what uses the table's row type, a subscription that writes into the table):
 * a change there stops the swap. The list read when the change capture began is compared under the
 * swap's lock: an object someone created, changed or dropped meanwhile would otherwise be left
 * pointing at the archived table (or lose its grants), so the swap refuses instead. A partitioned
 * table's lines end with its partitions' ({@link PartitionLocals}), none of them carried: a
 * partition attached, detached or changed stops the swap.
 */
public final class Dependents {
  /**
   * What uses the table's row type (or an array of it): functions taking or returning it, columns
   * of other tables, casts... They depend on the type, which stays with the archived table.
   */
  private static final String ROW_TYPE_USERS =
      "SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS what FROM pg_depend d"
          + " JOIN pg_class c ON c.oid = ?1 WHERE d.refclassid = 'pg_type'::regclass"
          + " AND d.refobjid IN (c.reltype, (SELECT t.typarray FROM pg_type t WHERE t.oid = c.reltype))"
          + " AND d.deptype = 'n'";

  private static final String QUERY =
      "SELECT DISTINCT line FROM ("
          // Whether a foreign key is validated yet is the swap's own business (it attaches them
          // NOT VALID and validates them after), not a change someone made.
          + " SELECT 'foreign key ' || k.conname || ' of ' || k.conrelid::regclass::text || ': '"
          + "   || replace(pg_get_constraintdef(k.oid), ' NOT VALID', '') AS line"
          + "   FROM pg_constraint k WHERE k.confrelid = ?1 AND k.conrelid <> ?1"
          + " UNION ALL SELECT 'view ' || r.ev_class::regclass::text || ': ' || md5(pg_get_viewdef(r.ev_class))"
          + "   FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid"
          + "   WHERE d.refobjid = ?1 AND r.ev_class <> ?1"
          + " UNION ALL SELECT 'policy ' || p.polname || ': ' || coalesce(pg_get_expr(p.polqual, p.polrelid), '')"
          + "   || ' / ' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') || ' ' || p.polroles::text"
          + "   FROM pg_policy p WHERE p.polrelid = ?1"
          + " UNION ALL SELECT 'trigger ' || t.tgname || ' ' || t.tgenabled::text || ': ' || pg_get_triggerdef(t.oid)"
          + "   FROM pg_trigger t WHERE t.tgrelid = ?1 AND NOT t.tgisinternal"
          + "   AND NOT starts_with(t.tgname, 'inflight_')"
          + " UNION ALL SELECT 'grants: ' || coalesce(c.relacl::text, 'default') FROM pg_class c WHERE c.oid = ?1"
          + " UNION ALL SELECT 'column grants ' || a.attname || ': ' || a.attacl::text"
          + "   FROM pg_attribute a WHERE a.attrelid = ?1 AND a.attacl IS NOT NULL"
          + " UNION ALL SELECT 'row security: ' || CASE WHEN c.relforcerowsecurity THEN 'forced' ELSE 'on' END"
          + "   FROM pg_class c WHERE c.oid = ?1 AND (c.relrowsecurity OR c.relforcerowsecurity)"
          + " UNION ALL SELECT 'publication ' || p.pubname FROM pg_publication_rel r"
          + "   JOIN pg_publication p ON p.oid = r.prpubid WHERE r.prrelid = ?1"
          + " UNION ALL SELECT 'statistics ' || s.stxname FROM pg_statistic_ext s WHERE s.stxrelid = ?1"
          // The table's own settings: the shadow took them when it was built.
          + " UNION ALL SELECT 'owner: ' || pg_get_userbyid(c.relowner) FROM pg_class c WHERE c.oid = ?1"
          + " UNION ALL SELECT 'comment: ' || obj_description(?1, 'pg_class')"
          + "   WHERE obj_description(?1, 'pg_class') IS NOT NULL"
          + " UNION ALL SELECT 'column comment ' || a.attname || ': ' || col_description(?1, a.attnum)"
          + "   FROM pg_attribute a WHERE a.attrelid = ?1 AND a.attnum > 0 AND NOT a.attisdropped"
          + "   AND col_description(?1, a.attnum) IS NOT NULL"
          + " UNION ALL SELECT 'index comment ' || ic.relname || ': ' || obj_description(ic.oid, 'pg_class')"
          + "   FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = ?1"
          + "   AND obj_description(ic.oid, 'pg_class') IS NOT NULL"
          + " UNION ALL SELECT 'constraint comment ' || k.conname || ': ' || obj_description(k.oid, 'pg_constraint')"
          + "   FROM pg_constraint k WHERE k.conrelid = ?1 AND obj_description(k.oid, 'pg_constraint') IS NOT NULL"
          + " UNION ALL SELECT 'replica identity: ' || c.relreplident::text || coalesce(' ' || (SELECT ic.relname"
          + "   FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = ?1"
          + "   AND i.indisreplident), '') FROM pg_class c WHERE c.oid = ?1"
          + " UNION ALL SELECT 'storage: ' || array_to_string(c.reloptions, ', ') FROM pg_class c"
          + "   WHERE c.oid = ?1 AND c.reloptions IS NOT NULL"
          + " UNION ALL SELECT 'toast storage: ' || array_to_string(t.reloptions, ', ') FROM pg_class c"
          + "   JOIN pg_class t ON t.oid = c.reltoastrelid WHERE c.oid = ?1 AND t.reloptions IS NOT NULL"
          + " UNION ALL SELECT 'column options ' || a.attname || ': ' || array_to_string(a.attoptions, ', ')"
          + "   FROM pg_attribute a WHERE a.attrelid = ?1 AND a.attnum > 0 AND NOT a.attisdropped"
          + "   AND a.attoptions IS NOT NULL"
          + " UNION ALL SELECT 'column statistics ' || a.attname || ': ' || a.attstattarget"
          + "   FROM pg_attribute a WHERE a.attrelid = ?1 AND a.attnum > 0 AND NOT a.attisdropped"
          + "   AND coalesce(a.attstattarget::int, -1) >= 0"
          + " UNION ALL SELECT 'column storage ' || a.attname || ': ' || a.attstorage::text"
          + "   || coalesce(' compression ' || nullif(a.attcompression::text, ''), '')"
          + "   FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = ?1"
          + "   AND a.attnum > 0 AND NOT a.attisdropped"
          + "   AND (a.attstorage <> t.typstorage OR a.attcompression <> '')"
          // The shadow is built with the table's persistence and tablespace; no plan changes them.
          + " UNION ALL SELECT 'persistence: ' || c.relpersistence::text || coalesce(' tablespace '"
          + "   || (SELECT s.spcname FROM pg_tablespace s WHERE s.oid = c.reltablespace), '')"
          + "   FROM pg_class c WHERE c.oid = ?1"
          + " UNION ALL SELECT 'row type used by ' || u.what FROM ("
          + ROW_TYPE_USERS
          + ") u"
          + " UNION ALL SELECT 'subscription ' || s.subname || ' writes into the table by logical"
          + " replication, which the change capture cannot see' FROM pg_subscription_rel r"
          + "   JOIN pg_subscription s ON s.oid = r.srsubid WHERE r.srrelid = ?1"
          + " UNION ALL SELECT 'dependent ' || pg_describe_object(d.classid, d.objid, d.objsubid)"
          + "   FROM pg_depend d WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = ?1"
          + "   AND d.deptype = 'n' AND d.classid NOT IN ('pg_rewrite'::regclass, 'pg_constraint'::regclass,"
          + "     'pg_trigger'::regclass, 'pg_policy'::regclass, 'pg_publication_rel'::regclass,"
          + "     'pg_statistic_ext'::regclass, 'pg_attrdef'::regclass, 'pg_class'::regclass)"
          + ") AS all_lines ORDER BY line";

  private Dependents() {}

  /** The table's dependents, sorted. */
  public static List<String> of(Connection conn, long oid) throws SQLException {
    List<String> out = new ArrayList<>(lines(conn, QUERY, oid));
    if (partitioned(conn, oid)) {
      out.addAll(PartitionLocals.lines(conn, oid));
    }
    return out;
  }

  private static boolean partitioned(Connection conn, long oid) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("SELECT relkind = 'p' FROM pg_class WHERE oid = ?")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  /** What uses the table's row type, as PostgreSQL describes each ({@code function f(items)}). */
  public static List<String> rowTypeUsers(Connection conn, long oid) throws SQLException {
    return lines(conn, "SELECT what FROM (" + ROW_TYPE_USERS + ") u ORDER BY 1", oid);
  }

  private static List<String> lines(Connection conn, String sql, long oid) throws SQLException {
    // The query names the oid many times; JDBC numbers parameters, so it is bound once per use.
    int uses = sql.split("\\?1", -1).length - 1;
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(sql.replace("?1", "?"))) {
      for (int i = 1; i <= uses; i++) {
        ps.setLong(i, oid);
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
   * Prefixes of the lines whose objects the swap carries when it is planned again; the others (a
   * function body, anything else only {@code pg_depend} knows) cannot be moved to another table.
   */
  private static final List<String> CARRIED =
      List.of(
          "foreign key ",
          "view ",
          "policy ",
          "trigger ",
          "grants: ",
          "column grants ",
          "publication ",
          "statistics ",
          "row security: ",
          "owner: ",
          "comment: ",
          "column comment ",
          "index comment ",
          "constraint comment ",
          "replica identity: ",
          "storage: ",
          "toast storage: ",
          "column options ",
          "column statistics ",
          "column storage ");

  /** Whether a changed line ({@link #changes}) is of a kind a new plan of the swap carries. */
  public static boolean carried(String change) {
    String line = change.substring(2);
    return CARRIED.stream().anyMatch(line::startsWith);
  }

  /** Lines in one list and not the other, each marked {@code +} (new) or {@code -} (gone). */
  public static List<String> changes(List<String> before, List<String> now) {
    List<String> out = new ArrayList<>();
    now.stream().filter(l -> !before.contains(l)).forEach(l -> out.add("+ " + l));
    before.stream().filter(l -> !now.contains(l)).forEach(l -> out.add("- " + l));
    return out;
  }
}
