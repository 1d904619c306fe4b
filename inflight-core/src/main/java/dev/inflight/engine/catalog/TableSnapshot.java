package dev.inflight.engine.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * A normalized description of a table, one line per property, grouped by kind: columns and their
 * order, constraints, indexes, triggers, policies, privileges, ownership and comments, storage
 * settings, row-level security, replica identity, publications, dependent views, foreign keys of
 * other tables that reference it, and sequences. Two tables with equal snapshots look the same to
 * every application and tool. Definitions are read with an empty search path so names are
 * qualified.
 */
public final class TableSnapshot {
  /** Kinds of lines; each maps to sorted lines. */
  public static final List<String> KINDS =
      List.of(
          "column",
          "column-order",
          "constraint",
          "index",
          "trigger",
          "policy",
          "grant",
          "table",
          "rls",
          "replica",
          "publication",
          "view",
          "incoming",
          "sequence");

  private TableSnapshot() {}

  /** The snapshot of a table, each line passed through {@code normalize}. */
  public static Map<String, List<String>> read(
      Connection conn, long oid, UnaryOperator<String> normalize) throws SQLException {
    return EmptySearchPath.run(
        conn,
        () -> {
          Map<String, List<String>> out = new TreeMap<>();
          put(
              out,
              "column",
              conn,
              oid,
              normalize,
              "SELECT 'column ' || quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)"
                  + " || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END"
                  + " || CASE WHEN a.attgenerated = 's' THEN ' generated ' || pg_get_expr(d.adbin, d.adrelid)"
                  + "         WHEN d.adbin IS NOT NULL THEN ' default ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END"
                  + " || CASE a.attidentity WHEN 'a' THEN ' identity always' WHEN 'd' THEN ' identity by default' ELSE '' END"
                  + " || CASE WHEN a.attcollation <> t.typcollation THEN ' collate ' || a.attcollation::regcollation::text ELSE '' END"
                  + " || CASE WHEN coalesce(a.attstattarget::int, -1) >= 0 THEN ' statistics ' || a.attstattarget ELSE '' END"
                  + " || ' storage ' || a.attstorage::text"
                  + " || coalesce(' comment ' || col_description(a.attrelid, a.attnum), '')"
                  + " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
                  + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                  + " WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped");
          put(
              out,
              "column-order",
              conn,
              oid,
              normalize,
              "SELECT 'columns ' || string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute"
                  + " WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped");
          put(
              out,
              "constraint",
              conn,
              oid,
              normalize,
              "SELECT 'constraint ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid)"
                  + " || CASE WHEN condeferrable THEN ' deferrable' ELSE '' END"
                  + " || coalesce(' comment ' || obj_description(oid, 'pg_constraint'), '')"
                  + " FROM pg_constraint WHERE conrelid = ? AND contype <> 'n'");
          put(
              out,
              "index",
              conn,
              oid,
              normalize,
              "SELECT 'index ' || pg_get_indexdef(i.indexrelid)"
                  + " || CASE WHEN i.indisreplident THEN ' replica identity' ELSE '' END"
                  + " || coalesce(' comment ' || obj_description(i.indexrelid, 'pg_class'), '')"
                  + " || coalesce(' tablespace ' || (SELECT t.spcname FROM pg_class ic JOIN pg_tablespace t"
                  + "   ON t.oid = ic.reltablespace WHERE ic.oid = i.indexrelid), '')"
                  + " FROM pg_index i WHERE i.indrelid = ?");
          put(
              out,
              "trigger",
              conn,
              oid,
              normalize,
              "SELECT 'trigger ' || tgenabled::text || ' ' || pg_get_triggerdef(oid) FROM pg_trigger"
                  + " WHERE tgrelid = ? AND NOT tgisinternal AND tgname NOT LIKE 'inflight\\_%'");
          put(
              out,
              "policy",
              conn,
              oid,
              normalize,
              "SELECT 'policy ' || quote_ident(polname) || CASE WHEN polpermissive THEN ' permissive' ELSE ' restrictive' END"
                  + " || ' ' || polcmd::text || ' to ' || array_to_string(ARRAY(SELECT CASE WHEN r = 0 THEN 'public'"
                  + "   ELSE quote_ident(pg_get_userbyid(r)) END FROM unnest(polroles) r ORDER BY 1), ',')"
                  + " || coalesce(' using ' || pg_get_expr(polqual, polrelid), '')"
                  + " || coalesce(' check ' || pg_get_expr(polwithcheck, polrelid), '') FROM pg_policy WHERE polrelid = ?");
          put(
              out,
              "grant",
              conn,
              oid,
              normalize,
              "SELECT 'grant ' || x.privilege_type || ' to ' || CASE WHEN x.grantee = 0 THEN 'public'"
                  + " ELSE quote_ident(pg_get_userbyid(x.grantee)) END || CASE WHEN x.is_grantable THEN ' with grant option' ELSE '' END"
                  + " FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) x WHERE c.oid = ? AND x.grantee <> c.relowner"
                  + " UNION ALL SELECT 'grant ' || x.privilege_type || ' (' || quote_ident(a.attname) || ') to '"
                  + " || CASE WHEN x.grantee = 0 THEN 'public' ELSE quote_ident(pg_get_userbyid(x.grantee)) END"
                  + " FROM pg_attribute a CROSS JOIN LATERAL aclexplode(a.attacl) x WHERE a.attrelid = ? AND a.attnum > 0"
                  + " AND NOT a.attisdropped");
          put(
              out,
              "table",
              conn,
              oid,
              normalize,
              "SELECT 'owner ' || quote_ident(pg_get_userbyid(relowner)) FROM pg_class WHERE oid = ?"
                  + " UNION ALL SELECT 'comment ' || obj_description(?, 'pg_class') WHERE obj_description(?, 'pg_class') IS NOT NULL"
                  + " UNION ALL SELECT 'option ' || o FROM pg_class c CROSS JOIN LATERAL unnest(c.reloptions) o WHERE c.oid = ?"
                  + " UNION ALL SELECT 'tablespace ' || t.spcname FROM pg_class c JOIN pg_tablespace t"
                  + "   ON t.oid = c.reltablespace WHERE c.oid = ?"
                  + " UNION ALL SELECT 'toast option ' || o FROM pg_class c JOIN pg_class t ON t.oid = c.reltoastrelid"
                  + "   CROSS JOIN LATERAL unnest(t.reloptions) o WHERE c.oid = ?");
          put(
              out,
              "rls",
              conn,
              oid,
              normalize,
              "SELECT 'row level security ' || relrowsecurity || ' forced ' || relforcerowsecurity FROM pg_class WHERE oid = ?");
          put(
              out,
              "replica",
              conn,
              oid,
              normalize,
              "SELECT 'replica identity ' || relreplident::text FROM pg_class WHERE oid = ?");
          put(
              out,
              "publication",
              conn,
              oid,
              normalize,
              "SELECT 'publication ' || quote_ident(p.pubname)"
                  + " || coalesce(' columns ' || (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)"
                  + "   FROM pg_attribute a WHERE a.attrelid = pr.prrelid AND a.attnum = ANY (pr.prattrs)), '')"
                  + " || coalesce(' where ' || pg_get_expr(pr.prqual, pr.prrelid), '')"
                  + " FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid WHERE pr.prrelid = ?");
          put(
              out,
              "view",
              conn,
              oid,
              normalize,
              "SELECT 'view ' || c.oid::regclass::text || ' ' || c.relkind::text || ' ('"
                  + " || (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod), ', '"
                  + "   ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0) || ')'"
                  + " FROM pg_class c WHERE c.oid IN (SELECT r.ev_class FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid"
                  + "   WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = ?"
                  + "   AND r.ev_class <> d.refobjid)");
          put(
              out,
              "incoming",
              conn,
              oid,
              normalize,
              "SELECT 'incoming ' || conrelid::regclass::text || ' ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid)"
                  + " FROM pg_constraint WHERE contype = 'f' AND confrelid = ? AND conrelid <> confrelid");
          put(
              out,
              "sequence",
              conn,
              oid,
              normalize,
              "SELECT 'sequence ' || s.oid::regclass::text || ' for ' || quote_ident(a.attname)"
                  + " || CASE WHEN d.deptype = 'i' THEN ' identity' ELSE ' owned' END || ' ' || format_type(q.seqtypid, NULL)"
                  + " || ' increment ' || q.seqincrement || ' min ' || q.seqmin || ' max ' || q.seqmax || ' cache ' || q.seqcache"
                  + " || CASE WHEN q.seqcycle THEN ' cycle' ELSE '' END"
                  + " FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' JOIN pg_sequence q ON q.seqrelid = s.oid"
                  + " JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
                  + " WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = ?"
                  + " AND d.deptype IN ('a', 'i')");
          return out;
        });
  }

  /**
   * The lines that differ: {@code - expected} and {@code + actual}, in kind order; empty when
   * equal.
   */
  public static List<String> differences(
      Map<String, List<String>> expected, Map<String, List<String>> actual) {
    List<String> out = new ArrayList<>();
    for (String kind : KINDS) {
      List<String> e = expected.getOrDefault(kind, List.of());
      List<String> a = actual.getOrDefault(kind, List.of());
      e.stream().filter(l -> !a.contains(l)).forEach(l -> out.add("- " + l));
      a.stream().filter(l -> !e.contains(l)).forEach(l -> out.add("+ " + l));
    }
    return out;
  }

  private static void put(
      Map<String, List<String>> out,
      String kind,
      Connection conn,
      long oid,
      UnaryOperator<String> normalize,
      String sql)
      throws SQLException {
    List<String> lines = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      int params = ps.getParameterMetaData().getParameterCount();
      for (int i = 1; i <= params; i++) {
        ps.setLong(i, oid);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rs.getString(1) != null) {
            // Whether a constraint is validated is checked on its own; a swap attaches foreign
            // keys NOT VALID and validates them right after.
            lines.add(normalize.apply(rs.getString(1).replace(" NOT VALID", "")));
          }
        }
      }
    }
    lines.sort(null);
    out.put(kind, lines);
  }
}
