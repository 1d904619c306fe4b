package dev.inflight.lab.chaos;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The catalog's description of a table ({@code public.items} for the trials) and of what migrations
 * left around it, one line per fact, so that two databases can be compared line by line: columns
 * (type, nullability, default), indexes and constraints with their definitions, triggers, the
 * objects Inflight creates ({@code <table>__ifl_*} relations, functions in schema {@code
 * inflight}), and the ledger's active migrations.
 */
public record Shape(List<String> lines) {
  static Shape of(Connection c) throws SQLException {
    return of(c, "items");
  }

  /** The shape of {@code public.<table>}, a lower-case name. */
  public static Shape of(Connection c, String table) throws SQLException {
    if (!table.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("not a lower-case table name: " + table);
    }
    List<String> out = new ArrayList<>();
    out.addAll(
        lines(
            c,
            "SELECT 'column ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)"
                + " || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END"
                + " || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')"
                + " FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + " WHERE a.attrelid = 'public."
                + table
                + "'::regclass AND a.attnum > 0 AND NOT a.attisdropped"
                + " ORDER BY a.attnum"));
    out.addAll(
        lines(
            c,
            "SELECT 'index ' || ic.relname || ': ' || pg_get_indexdef(i.indexrelid)"
                + " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
                + " WHERE i.indrelid = 'public."
                + table
                + "'::regclass ORDER BY ic.relname"));
    out.addAll(
        lines(
            c,
            "SELECT 'constraint ' || conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint"
                + " WHERE conrelid = 'public."
                + table
                + "'::regclass ORDER BY conname"));
    out.addAll(
        lines(
            c,
            "SELECT 'trigger ' || tgname || ' on ' || tgrelid::regclass FROM pg_trigger"
                + " WHERE NOT tgisinternal AND tgrelid IN (SELECT oid FROM pg_class"
                + " WHERE relnamespace = 'public'::regnamespace) ORDER BY 1"));
    out.addAll(
        lines(
            c,
            "SELECT 'relation ' || n.nspname || '.' || c.relname || ' (' || c.relkind::text || ')'"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relname LIKE '"
                + table.replace("_", "\\_")
                + "\\_\\_ifl%' ORDER BY 1"));
    out.addAll(
        lines(
            c,
            "SELECT 'function inflight.' || proname FROM pg_proc"
                + " WHERE pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'inflight')"
                + " ORDER BY 1"));
    if (!lines(c, "SELECT to_regclass('inflight.migrations')::text").contains(null)) {
      out.addAll(
          lines(
              c,
              "SELECT 'active migration ' || name || ' ' || phase FROM inflight.migrations"
                  + " WHERE active ORDER BY id"));
    }
    return new Shape(out);
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

  /** Lines of this shape that {@code expected} lacks, marked +, and lines it lacks, marked -. */
  public List<String> differences(Shape expected) {
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      if (!expected.lines.contains(l)) {
        out.add("+ " + l);
      }
    }
    for (String l : expected.lines) {
      if (!lines.contains(l)) {
        out.add("- " + l);
      }
    }
    return out;
  }
}
