package dev.inflight.lab.generative;

import dev.inflight.lab.chaos.Shape;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The catalog of {@code public.subject} as lines to compare with a reference run's: the chaos
 * {@link Shape} (columns, indexes, constraints, triggers, what Inflight left) and what depends on
 * the table (views, other tables' foreign keys, privileges).
 */
final class CatalogLines {
  private CatalogLines() {}

  static List<String> of(Connection c) throws SQLException {
    List<String> out = new ArrayList<>(Shape.of(c, TableShape.TABLE).lines());
    out.addAll(
        lines(
            c,
            "SELECT DISTINCT 'view ' || v.relname || ': ' || pg_get_viewdef(v.oid)"
                + " FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid"
                + " JOIN pg_class v ON v.oid = r.ev_class"
                + " WHERE d.refobjid = 'public.subject'::regclass AND v.oid <> d.refobjid"));
    out.addAll(
        lines(
            c,
            "SELECT 'incoming ' || conrelid::regclass || ' ' || conname || ': '"
                + " || pg_get_constraintdef(oid) || CASE WHEN convalidated THEN '' ELSE ' (not"
                + " valid)' END FROM pg_constraint WHERE confrelid = 'public.subject'::regclass"));
    out.addAll(
        lines(
            c,
            "SELECT 'privileges ' || coalesce(relacl::text, 'default') FROM pg_class"
                + " WHERE oid = 'public.subject'::regclass"));
    out.sort(null);
    return out;
  }

  private static List<String> lines(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** Lines {@code actual} has and {@code expected} lacks (+), and the reverse (-). */
  static List<String> differences(List<String> expected, List<String> actual) {
    List<String> out = new ArrayList<>();
    actual.stream().filter(l -> !expected.contains(l)).forEach(l -> out.add("+ " + l));
    expected.stream().filter(l -> !actual.contains(l)).forEach(l -> out.add("- " + l));
    return out;
  }
}
