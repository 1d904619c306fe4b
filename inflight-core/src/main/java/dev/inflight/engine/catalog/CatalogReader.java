package dev.inflight.engine.catalog;

import dev.inflight.engine.PlanRejectedException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Reads a table's shape from the system catalogs. Read only. */
public final class CatalogReader {
  private final Connection conn;

  public CatalogReader(Connection conn) {
    this.conn = conn;
  }

  /** Resolves {@code schema.table} or {@code table} (through the search path) to its oid. */
  public TableRef resolve(String tableText) throws SQLException {
    TableRef parsed = TableRef.parse(tableText);
    String sql =
        parsed.schema() == null
            ? "SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relname = ? AND n.nspname = ANY (current_schemas(false))"
                + " ORDER BY array_position(current_schemas(false), n.nspname) LIMIT 1"
            : "SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relname = ? AND n.nspname = ?";
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      ps.setString(1, parsed.name());
      if (parsed.schema() != null) {
        ps.setString(2, parsed.schema());
      }
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new PlanRejectedException("table " + parsed.display() + " does not exist");
        }
        return new TableRef(rs.getString(2), rs.getString(3), rs.getLong(1));
      }
    }
  }

  /** Reads the full description of a resolved table. */
  public TableInfo read(TableRef ref) throws SQLException {
    long oid = ref.oid();
    String kind;
    String persistence;
    String owner;
    String tablespace;
    String comment;
    long rows;
    long bytes;
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT c.relkind::text, c.relpersistence::text, pg_get_userbyid(c.relowner),"
                + " (SELECT spcname FROM pg_tablespace WHERE oid = c.reltablespace),"
                + " c.reltuples::bigint, pg_total_relation_size(c.oid), obj_description(c.oid, 'pg_class')"
                + " FROM pg_class c WHERE c.oid = ?")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new PlanRejectedException("table " + ref.display() + " does not exist");
        }
        kind = rs.getString(1);
        persistence = rs.getString(2);
        owner = rs.getString(3);
        tablespace = rs.getString(4);
        rows = rs.getLong(5);
        bytes = rs.getLong(6);
        comment = rs.getString(7);
      }
    }
    List<ColumnInfo> columns = columns(oid);
    List<IndexInfo> indexes = indexes(oid);
    List<String> pk = primaryKey(oid);
    return new TableInfo(
        oid,
        ref.schema(),
        ref.name(),
        kind,
        persistence,
        owner,
        tablespace,
        comment,
        Lineage.read(conn, oid),
        "p".equals(kind) ? PartitionTree.read(conn, oid) : null,
        columns,
        pk,
        indexes,
        sequences(oid),
        grants(oid),
        rows,
        bytes,
        fingerprint(oid));
  }

  private List<ColumnInfo> columns(long oid) throws SQLException {
    List<ColumnInfo> out = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,"
                + " pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, a.attgenerated::text,"
                + " CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::regcollation::text END"
                + " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
                + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + " WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new ColumnInfo(
                  rs.getInt(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getBoolean(4),
                  rs.getString(5),
                  rs.getString(6),
                  rs.getString(7),
                  rs.getString(8)));
        }
      }
    }
    return out;
  }

  private List<String> primaryKey(long oid) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            // The primary key; without one, the narrowest unique index on NOT NULL columns
            // (no predicate, no expression, not deferrable) identifies rows just as well.
            "WITH key AS (SELECT i.indexrelid, i.indkey FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
                + " WHERE i.indrelid = ? AND i.indisunique AND i.indimmediate AND i.indpred IS NULL"
                + " AND i.indexprs IS NULL AND (i.indisprimary OR NOT EXISTS (SELECT 1 FROM pg_attribute a"
                + "   WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) AND NOT a.attnotnull))"
                + " ORDER BY i.indisprimary DESC, i.indnkeyatts, ic.relname LIMIT 1)"
                + " SELECT a.attname FROM key CROSS JOIN LATERAL unnest(key.indkey) WITH ORDINALITY AS k(attnum, ord)"
                + " JOIN pg_attribute a ON a.attrelid = ? AND a.attnum = k.attnum ORDER BY k.ord")) {
      ps.setLong(1, oid);
      ps.setLong(2, oid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private List<IndexInfo> indexes(long oid) throws SQLException {
    List<IndexInfo> out = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT ic.relname, pg_get_indexdef(i.indexrelid),"
                + " substr(pg_get_indexdef(i.indexrelid), length('CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE '"
                + "   ELSE '' END || 'INDEX ' || quote_ident(ic.relname) || ' ON '"
                // A partitioned table's own index is printed ON ONLY.
                + "   || CASE WHEN c.relkind = 'p' THEN 'ONLY ' ELSE '' END || quote_ident(n.nspname) || '.'"
                + "   || quote_ident(c.relname) || ' ') + 1),"
                + " i.indisprimary, i.indisunique,"
                + " coalesce(con.contype::text, ''), coalesce(pg_get_constraintdef(con.oid), ''),"
                + " obj_description(i.indexrelid, 'pg_class'),"
                + " CASE WHEN i.indexprs IS NULL THEN ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY"
                + "   AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                + "   WHERE k.ord <= i.indnkeyatts ORDER BY k.ord) ELSE '{}' END,"
                + " (SELECT spcname FROM pg_tablespace WHERE oid = ic.reltablespace)"
                + " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
                + " JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid"
                + "   AND con.contype IN ('p', 'u', 'x')"
                + " WHERE i.indrelid = ? ORDER BY i.indisprimary DESC, ic.relname")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new IndexInfo(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getBoolean(4),
                  rs.getBoolean(5),
                  rs.getString(6),
                  rs.getString(7),
                  rs.getString(8),
                  List.of((String[]) rs.getArray(9).getArray()),
                  rs.getString(10)));
        }
      }
    }
    return out;
  }

  private List<TableInfo.OwnedSequence> sequences(long oid) throws SQLException {
    List<TableInfo.OwnedSequence> out = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT a.attname, sn.nspname, s.relname, d.deptype = 'i',"
                + " format('INCREMENT BY %s MINVALUE %s MAXVALUE %s CACHE %s %s', q.seqincrement, q.seqmin,"
                + "   q.seqmax, q.seqcache, CASE WHEN q.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END)"
                + " FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'"
                + " JOIN pg_sequence q ON q.seqrelid = s.oid"
                + " JOIN pg_namespace sn ON sn.oid = s.relnamespace"
                + " JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
                + " WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass"
                + " AND d.refobjid = ? AND d.deptype IN ('a', 'i') ORDER BY a.attnum")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new TableInfo.OwnedSequence(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getBoolean(4),
                  rs.getString(5)));
        }
      }
    }
    return out;
  }

  /**
   * The table's privileges as GRANT statements with a {@code {{table}}} placeholder, table level
   * first, then column level. The owner's own implicit rights are skipped.
   */
  private List<String> grants(long oid) throws SQLException {
    List<String> out = new ArrayList<>();
    String grantee =
        "CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END";
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT 'GRANT ' || x.privilege_type || ' ON {{table}} TO ' || "
                + grantee
                + " || CASE WHEN x.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END"
                + " FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) x"
                + " WHERE c.oid = ? AND x.grantee <> c.relowner"
                + " ORDER BY 1")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT 'GRANT ' || x.privilege_type || ' (' || quote_ident(a.attname) || ') ON {{table}} TO ' || "
                + grantee
                + " || CASE WHEN x.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END"
                + " FROM pg_attribute a CROSS JOIN LATERAL aclexplode(a.attacl) x"
                + " WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped"
                + " ORDER BY a.attnum, 1")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /**
   * A digest of everything about the table that the plan depends on: columns, defaults,
   * constraints, indexes. Compared again under the cut-over lock, so a table altered during the
   * migration is never swapped for a shadow that lacks the alteration.
   */
  public String fingerprint(long oid) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT concat_ws(E'\\n',"
                + " (SELECT string_agg(concat_ws(' ', a.attname, format_type(a.atttypid, a.atttypmod),"
                + "   a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,"
                + "   a.attcollation), ',' ORDER BY a.attnum)"
                + "  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + "  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),"
                + " (SELECT string_agg(pg_get_constraintdef(k.oid) || k.conname, ',' ORDER BY k.conname)"
                + "  FROM pg_constraint k WHERE k.conrelid = c.oid),"
                + " (SELECT string_agg(pg_get_indexdef(i.indexrelid), ',' ORDER BY i.indexrelid::regclass::text)"
                + "  FROM pg_index i WHERE i.indrelid = c.oid),"
                + " c.relname, c.relnamespace::regnamespace::text)"
                + " FROM pg_class c WHERE c.oid = ?")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getString(1) == null) {
          throw new SQLException("table with oid " + oid + " no longer exists", "42P01");
        }
        return sha256(rs.getString(1));
      }
    }
  }

  static String sha256(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
