package dev.inflight.engine.plan;

import dev.inflight.engine.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The shadow's partitions: one per partition of the original, with its bound, in its schema and
 * tablespace, with its storage parameters, owner, privileges and comment. They are created after
 * the changes, so each change runs once on a shadow without partitions (catalog work only) and the
 * partitions take the changed columns from it.
 */
final class ShadowPartitions {
  private ShadowPartitions() {}

  static List<String> statements(Connection conn, Original original) throws SQLException {
    List<String> out = new ArrayList<>();
    for (PartitionPlan p : original.partitions()) {
      out.addAll(statements(conn, original, p));
    }
    return List.copyOf(out);
  }

  private static List<String> statements(Connection conn, Original original, PartitionPlan p)
      throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT pg_get_userbyid(c.relowner), t.spcname,"
                + " (SELECT string_agg(quote_ident(split_part(o, '=', 1)) || ' = '"
                + "   || quote_literal(substr(o, length(split_part(o, '=', 1)) + 2)), ', ')"
                + "   FROM unnest(c.reloptions) AS o),"
                + " obj_description(c.oid, 'pg_class')"
                + " FROM pg_class c LEFT JOIN pg_tablespace t ON t.oid = c.reltablespace"
                + " WHERE c.oid = ?::regclass")) {
      ps.setString(1, p.sql());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        out.add(
            "CREATE TABLE "
                + p.shadowSql()
                + " PARTITION OF "
                + original.shadow()
                + " "
                + p.bound()
                + (rs.getString(3) == null ? "" : " WITH (" + rs.getString(3) + ")")
                + (rs.getString(2) == null ? "" : " TABLESPACE " + Sql.ident(rs.getString(2))));
        out.add("ALTER TABLE " + p.shadowSql() + " OWNER TO " + Sql.ident(rs.getString(1)));
        if (rs.getString(4) != null) {
          out.add("COMMENT ON TABLE " + p.shadowSql() + " IS " + Sql.literal(rs.getString(4)));
        }
      }
    }
    String grantee =
        "CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END";
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT 'GRANT ' || x.privilege_type || ' ON ' || ? || ' TO ' || "
                + grantee
                + " || CASE WHEN x.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END"
                + " FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) x"
                + " WHERE c.oid = ?::regclass AND x.grantee <> c.relowner ORDER BY 1")) {
      ps.setString(1, p.shadowSql());
      ps.setString(2, p.sql());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }
}
