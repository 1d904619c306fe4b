package dev.inflight.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A fresh database for one test, with a small pool and query helpers. */
public final class TestDatabase implements AutoCloseable {
  private final String url;
  private final int major;
  private final HikariDataSource dataSource;

  TestDatabase(String url, int major) {
    this.url = url;
    this.major = major;
    this.dataSource = pool(url, 20);
  }

  /** A pool on this database; the caller closes it. */
  public static HikariDataSource pool(String url, int size) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url);
    cfg.setMaximumPoolSize(size);
    cfg.setMinimumIdle(0);
    cfg.setConnectionTimeout(30_000);
    return new HikariDataSource(cfg);
  }

  public String url() {
    return url;
  }

  public int major() {
    return major;
  }

  public HikariDataSource dataSource() {
    return dataSource;
  }

  /** Executes statements (each may contain several, separated by semicolons). */
  public void exec(String... sql) {
    try (Connection c = dataSource.getConnection();
        Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** The first column of the first row. */
  public Object scalar(String sql, Object... params) {
    List<Map<String, Object>> rows = rows(sql, params);
    return rows.isEmpty() ? null : rows.get(0).values().iterator().next();
  }

  public long count(String sql, Object... params) {
    return ((Number) scalar(sql, params)).longValue();
  }

  public List<Map<String, Object>> rows(String sql, Object... params) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      List<Map<String, Object>> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        ResultSetMetaData md = rs.getMetaData();
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= md.getColumnCount(); i++) {
            row.put(md.getColumnLabel(i), rs.getObject(i));
          }
          out.add(row);
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** The first column of every row, as strings. */
  public List<String> strings(String sql, Object... params) {
    return rows(sql, params).stream()
        .map(r -> String.valueOf(r.values().iterator().next()))
        .toList();
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
