package dev.inflight.lab.chaos;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.inflight.workload.OracleWorkload;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The chaos table, its migration and its expected contents. The migration adds a column with a
 * default, changes {@code flag} from integer to boolean (with a reverse for rollback) and adds an
 * index; the table already has a secondary index, so Syncing has two to build.
 */
final class Items {
  /** The table of every trial. */
  static final String TABLE = "public.items";

  private Items() {}

  /**
   * The application's pool: short connection timeouts, so that a statement meets a restarting
   * server as an error (and is then read back) instead of waiting for it.
   */
  static HikariDataSource applicationPool(String url, int threads) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url);
    cfg.setMaximumPoolSize(threads + 1);
    cfg.setMinimumIdle(0);
    cfg.setConnectionTimeout(3_000);
    cfg.setInitializationFailTimeout(-1);
    cfg.setPoolName("chaos-app");
    cfg.addDataSourceProperty("ApplicationName", "chaos-app");
    return new HikariDataSource(cfg);
  }

  /** Creates and fills {@code public.items}; returns its rows as the application knows them. */
  static List<OracleWorkload.Row> create(String url, long rows) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL, balance integer NOT NULL,"
              + " flag integer NOT NULL DEFAULT 0, note text)");
      st.execute(
          "INSERT INTO items SELECT g, 'o' || (g % 97), g % 1000, g % 2, 'n' || g"
              + " FROM generate_series(1, "
              + rows
              + ") g");
      st.execute("CREATE INDEX items_owner ON items (owner)");
      st.execute("ANALYZE items");
      List<OracleWorkload.Row> out = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("SELECT id, owner, balance, flag, note FROM items")) {
        while (rs.next()) {
          out.add(
              new OracleWorkload.Row(
                  rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getInt(4), rs.getString(5)));
        }
      }
      return out;
    }
  }

  static long heapBytes(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT pg_table_size('items')")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * The migration, throttled so the copy takes about two seconds whatever the size, and small
   * batches so that a fault lands inside one as often as between two.
   */
  static String migration(String name, long rows) {
    return "apiVersion: inflight.dev/v1alpha1\nkind: SchemaMigration\nmetadata: {name: "
        + name
        + "}\nspec:\n  table: public.items\n  changes:\n"
        + """
            - addColumn: {name: memo, type: text, default: "'x'"}
            - alterColumnType: {column: flag, type: boolean, using: "flag <> 0", reverseUsing: "CASE WHEN flag THEN 1 ELSE 0 END"}
            - createIndex: {name: items_balance, columns: [balance]}
        """
            .indent(2)
        + "  backfill: {batchSize: 500, targetBatchTime: 20ms, maxRowsPerSecond: "
        + Math.max(1000, rows / 2)
        + "}\n"
        + "  cutover: {lockTimeout: 1s, maxAttempts: 100}\n"
        + "  rollback: {retainFor: 24h}\n";
  }

  /** The live table's rows as text, in key order: after the migration or after a rollback. */
  static List<String> rows(Connection c, boolean migrated) throws SQLException {
    List<String> out = new ArrayList<>();
    String sql =
        migrated
            ? "SELECT id, owner, balance, flag::text, note, memo FROM items ORDER BY id"
            : "SELECT id, owner, balance, flag::text, note FROM items ORDER BY id";
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          b.append(i > 1 ? "|" : "").append(rs.getString(i));
        }
        out.add(b.toString());
      }
    }
    return out;
  }

  /** What {@link #rows} must return, from the oracle. */
  static List<String> expectedRows(TreeMap<Long, OracleWorkload.Row> expected, boolean migrated) {
    List<String> out = new ArrayList<>();
    for (OracleWorkload.Row r : expected.values()) {
      String flag = migrated ? Boolean.toString(r.flag() != 0) : Integer.toString(r.flag());
      out.add(
          r.id()
              + "|"
              + r.owner()
              + "|"
              + r.balance()
              + "|"
              + flag
              + "|"
              + r.note()
              + (migrated ? "|x" : ""));
    }
    return out;
  }

  /**
   * Up to {@code limit} differences between two key-ordered row lists: missing, unexpected and
   * changed rows, each with its key.
   */
  static List<String> difference(List<String> expected, List<String> actual, int limit) {
    Map<String, String> want = byKey(expected);
    Map<String, String> have = byKey(actual);
    List<String> out = new ArrayList<>();
    int missing = 0;
    int ghost = 0;
    int changed = 0;
    for (var e : want.entrySet()) {
      String h = have.get(e.getKey());
      if (h == null) {
        missing++;
        if (out.size() < limit) {
          out.add("missing " + e.getValue());
        }
      } else if (!h.equals(e.getValue())) {
        changed++;
        if (out.size() < limit) {
          out.add("expected " + e.getValue() + " but found " + h);
        }
      }
    }
    for (var e : have.entrySet()) {
      if (!want.containsKey(e.getKey())) {
        ghost++;
        if (out.size() < limit) {
          out.add("unexpected " + e.getValue());
        }
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

  private static Map<String, String> byKey(List<String> rows) {
    Map<String, String> out = new HashMap<>();
    for (String r : rows) {
      out.put(r.substring(0, r.indexOf('|')), r);
    }
    return out;
  }
}
