package dev.inflight.lab.generative;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The live table against the model, byte for byte: every column the application writes is read as
 * its text ({@code ::text}), so a key that compares equal with other bytes (a numeric's scale, a
 * case under a case-insensitive comparison) or a changed TOASTed value is a difference.
 */
final class LiveTable {
  private static final int SHOWN = 5;
  private static final int VALUE_CHARS = 60;

  private LiveTable() {}

  static Map<List<String>, String[]> read(Connection c, TableShape shape) throws SQLException {
    List<String> cols = shape.columns();
    List<String> casts = cols.stream().map(k -> k + "::text").toList();
    int keys = shape.key().columns().size();
    Map<List<String>, String[]> out = new HashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT " + String.join(", ", casts) + " FROM subject")) {
      while (rs.next()) {
        String[] row = new String[cols.size()];
        for (int i = 0; i < row.length; i++) {
          row[i] = rs.getString(i + 1);
        }
        String[] clash = out.put(Rows.key(row, keys), row);
        if (clash != null) {
          throw new SQLException("two rows with the key " + Rows.key(row, keys));
        }
      }
    }
    return out;
  }

  /** Up to a few differences, after a count of missing, unexpected and changed rows. */
  static List<String> differences(
      Map<List<String>, String[]> expected, Map<List<String>, String[]> actual) {
    List<String> out = new ArrayList<>();
    int missing = 0;
    int ghost = 0;
    int changed = 0;
    for (var e : expected.entrySet()) {
      String[] have = actual.get(e.getKey());
      if (have == null) {
        missing++;
        show(out, "missing " + text(e.getValue()));
      } else if (!Arrays.equals(have, e.getValue())) {
        changed++;
        show(out, "expected " + text(e.getValue()) + " but found " + text(have));
      }
    }
    for (var e : actual.entrySet()) {
      if (!expected.containsKey(e.getKey())) {
        ghost++;
        show(out, "unexpected " + text(e.getValue()));
      }
    }
    if (missing + ghost + changed > 0) {
      out.add(
          0,
          missing
              + " missing, "
              + ghost
              + " unexpected, "
              + changed
              + " changed rows of "
              + expected.size());
    }
    return out;
  }

  private static void show(List<String> out, String line) {
    if (out.size() < SHOWN) {
      out.add(line);
    }
  }

  private static String text(String[] row) {
    List<String> parts = new ArrayList<>();
    for (String v : row) {
      parts.add(
          v == null
              ? "NULL"
              : v.length() > VALUE_CHARS
                  ? v.substring(0, VALUE_CHARS) + "...(" + v.length() + " chars)"
                  : v);
    }
    return String.join("|", parts);
  }

  /** Each query (a count of rows that break an expectation) must answer zero. */
  static List<String> violations(Connection c, List<String> queries) throws SQLException {
    List<String> out = new ArrayList<>();
    for (String q : queries) {
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery(q)) {
        rs.next();
        if (rs.getLong(1) != 0) {
          out.add(rs.getLong(1) + " rows: " + q);
        }
      }
    }
    return out;
  }
}
