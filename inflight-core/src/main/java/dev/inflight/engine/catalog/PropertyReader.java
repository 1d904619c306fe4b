package dev.inflight.engine.catalog;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a table's {@link TableProperties}. Definitions are read with an empty search path, so every
 * name in them is schema-qualified and means the same object wherever it is replayed. Read only;
 * the caller's search path is restored afterwards.
 */
public final class PropertyReader {
  private final Connection conn;

  /** Foreign keys with their columns on both sides; a WHERE clause on the oid follows. */
  private static final String FOREIGN_KEYS =
      "SELECT conname, conrelid::regclass::text, pg_get_constraintdef(oid), convalidated,"
          + " ARRAY(SELECT a.attname FROM unnest(conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a"
          + "   ON a.attrelid = conrelid AND a.attnum = k.n ORDER BY k.i),"
          + " ARRAY(SELECT a.attname FROM unnest(confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a"
          + "   ON a.attrelid = confrelid AND a.attnum = k.n ORDER BY k.i),"
          + " confrelid::regclass::text, obj_description(oid, 'pg_constraint') FROM pg_constraint";

  public PropertyReader(Connection conn) {
    this.conn = conn;
  }

  public TableProperties read(long oid) throws SQLException {
    return EmptySearchPath.run(
        conn,
        () ->
            new TableProperties(
                strings("SELECT unnest(reloptions) FROM pg_class WHERE oid = ?", oid),
                strings(
                    "SELECT unnest(t.reloptions) FROM pg_class c JOIN pg_class t ON t.oid = c.reltoastrelid WHERE c.oid = ?",
                    oid),
                strings(
                    "SELECT quote_ident(attname) || '=' || attstattarget FROM pg_attribute WHERE attrelid = ? AND attnum > 0"
                        + " AND NOT attisdropped AND coalesce(attstattarget::int, -1) >= 0 ORDER BY attnum",
                    oid),
                named(
                    "SELECT conname, obj_description(oid, 'pg_constraint') FROM pg_constraint WHERE conrelid = ?"
                        + " AND obj_description(oid, 'pg_constraint') IS NOT NULL ORDER BY conname",
                    oid),
                foreignKeys(
                    FOREIGN_KEYS + " WHERE contype = 'f' AND conrelid = ? ORDER BY conname", oid),
                foreignKeys(
                    FOREIGN_KEYS
                        + " WHERE contype = 'f' AND confrelid = ? AND conrelid <> confrelid ORDER BY conrelid::regclass::text, conname",
                    oid),
                views(oid),
                triggers(oid),
                bool("SELECT relrowsecurity FROM pg_class WHERE oid = ?", oid),
                bool("SELECT relforcerowsecurity FROM pg_class WHERE oid = ?", oid),
                policies(oid),
                text("SELECT relreplident::text FROM pg_class WHERE oid = " + oid),
                text(
                    "SELECT i.indexrelid::regclass::text FROM pg_index i WHERE i.indrelid = "
                        + oid
                        + " AND i.indisreplident"),
                publications(oid),
                strings(
                    "SELECT pubname FROM pg_publication WHERE puballtables AND ? > 0 ORDER BY 1",
                    oid),
                strings(
                    "SELECT rulename FROM pg_rewrite WHERE ev_class = ? AND rulename <> '_RETURN' ORDER BY 1",
                    oid),
                named(
                    "SELECT quote_ident(attname), array_to_string(attoptions, ', ') FROM pg_attribute"
                        + " WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped AND attoptions IS NOT NULL"
                        + " ORDER BY attnum",
                    oid),
                statistics(oid),
                named(
                    "SELECT quote_ident(attname), col_description(attrelid, attnum) FROM pg_attribute"
                        + " WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped"
                        + " AND col_description(attrelid, attnum) IS NOT NULL ORDER BY attnum",
                    oid),
                named(
                    "SELECT quote_ident(attname), attstorage::text || ' ' || attcompression::text FROM pg_attribute"
                        + " WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                    oid)));
  }

  private List<TableProperties.DependentView> views(long oid) throws SQLException {
    List<TableProperties.DependentView> out = new ArrayList<>();
    String sql =
        "WITH RECURSIVE deps(oid, level) AS ("
            + " SELECT r.ev_class, 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid"
            + " WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = ?"
            + " AND r.ev_class <> ?"
            + " UNION SELECT r.ev_class, deps.level + 1 FROM deps JOIN pg_depend d ON d.refobjid = deps.oid"
            + " AND d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass"
            + " JOIN pg_rewrite r ON r.oid = d.objid WHERE r.ev_class <> deps.oid AND deps.level < 50)"
            + " SELECT c.oid, n.nspname, c.relname, c.relkind = 'm', pg_get_viewdef(c.oid),"
            + " coalesce(c.reloptions, '{}'), pg_get_userbyid(c.relowner), obj_description(c.oid, 'pg_class'),"
            + " ARRAY(SELECT 'GRANT ' || x.privilege_type || ' ON {{view}} TO '"
            + "   || CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END"
            + "   || CASE WHEN x.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END"
            + "   FROM aclexplode(c.relacl) x WHERE x.grantee <> c.relowner ORDER BY 1),"
            + " ARRAY(SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = c.oid ORDER BY 1),"
            + " ARRAY(SELECT quote_ident(a.attname) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0"
            + "   AND NOT a.attisdropped ORDER BY a.attnum)"
            + " FROM (SELECT oid, max(level) AS level FROM deps GROUP BY oid) d JOIN pg_class c ON c.oid = d.oid"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace ORDER BY d.level, c.oid";
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      ps.setLong(1, oid);
      ps.setLong(2, oid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String def = rs.getString(5).strip();
          if (def.endsWith(";")) {
            def = def.substring(0, def.length() - 1);
          }
          out.add(
              new TableProperties.DependentView(
                  rs.getString(2),
                  rs.getString(3),
                  rs.getBoolean(4),
                  def,
                  list(rs.getArray(6)),
                  rs.getString(7),
                  rs.getString(8),
                  list(rs.getArray(9)),
                  list(rs.getArray(10)),
                  list(rs.getArray(11))));
        }
      }
    }
    return out;
  }

  private List<TableProperties.Statistics> statistics(long oid) throws SQLException {
    return rows(
        "SELECT n.nspname, s.stxname, array_to_string(ARRAY(SELECT CASE k WHEN 'd' THEN 'dependencies'"
            + "   WHEN 'f' THEN 'ndistinct' WHEN 'm' THEN 'mcv' END FROM unnest(s.stxkind) AS k"
            + "   WHERE k <> 'e' ORDER BY 1), ', '),"
            + " pg_get_statisticsobjdef_columns(s.oid), pg_get_userbyid(s.stxowner)"
            + " FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace"
            + " WHERE s.stxrelid = ? ORDER BY s.stxname",
        oid,
        rs ->
            new TableProperties.Statistics(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5)));
  }

  private List<TableProperties.Trigger> triggers(long oid) throws SQLException {
    return rows(
        "SELECT tgname, pg_get_triggerdef(oid), tgenabled::text FROM pg_trigger WHERE tgrelid = ?"
            + " AND NOT tgisinternal AND tgname NOT LIKE 'inflight\\_%' ORDER BY tgname",
        oid, rs -> new TableProperties.Trigger(rs.getString(1), rs.getString(2), rs.getString(3)));
  }

  private List<TableProperties.Policy> policies(long oid) throws SQLException {
    return rows(
        "SELECT polname, polpermissive, polcmd::text,"
            + " ARRAY(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END"
            + "   FROM unnest(polroles) r ORDER BY 1),"
            + " pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid)"
            + " FROM pg_policy WHERE polrelid = ? ORDER BY polname",
        oid,
        rs -> {
          String cmd =
              switch (rs.getString(3)) {
                case "r" -> "SELECT";
                case "a" -> "INSERT";
                case "w" -> "UPDATE";
                case "d" -> "DELETE";
                default -> "ALL";
              };
          return new TableProperties.Policy(
              rs.getString(1),
              rs.getBoolean(2),
              cmd,
              list(rs.getArray(4)),
              rs.getString(5),
              rs.getString(6));
        });
  }

  private List<TableProperties.Publication> publications(long oid) throws SQLException {
    return rows(
        "SELECT p.pubname,"
            + " (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a"
            + "   WHERE a.attrelid = pr.prrelid AND a.attnum = ANY (pr.prattrs)),"
            + " pg_get_expr(pr.prqual, pr.prrelid)"
            + " FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid WHERE pr.prrelid = ? ORDER BY 1",
        oid,
        rs -> new TableProperties.Publication(rs.getString(1), rs.getString(2), rs.getString(3)));
  }

  private List<TableProperties.ForeignKey> foreignKeys(String sql, long oid) throws SQLException {
    return rows(
        sql,
        oid,
        rs ->
            new TableProperties.ForeignKey(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getBoolean(4),
                list(rs.getArray(5)),
                list(rs.getArray(6)),
                rs.getString(7),
                rs.getString(8)));
  }

  private List<TableProperties.Named> named(String sql, long oid) throws SQLException {
    return rows(sql, oid, rs -> new TableProperties.Named(rs.getString(1), rs.getString(2)));
  }

  private List<String> strings(String sql, long oid) throws SQLException {
    return rows(sql, oid, rs -> rs.getString(1));
  }

  /** One row of a catalog query. */
  private interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /** Every row of a query whose one parameter is the table's oid. */
  private <T> List<T> rows(String sql, long oid, Row<T> row) throws SQLException {
    List<T> out = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(row.read(rs));
        }
      }
    }
    return out;
  }

  private boolean bool(String sql, long oid) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  private String text(String sql) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static List<String> list(Array a) throws SQLException {
    return a == null ? List.of() : Arrays.asList((String[]) a.getArray());
  }
}
