package dev.inflight.engine.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/** Short transactions with a time limit on every lock and statement. */
public final class Tx {
  /** Work inside a transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection conn) throws SQLException;
  }

  private Tx() {}

  /**
   * Runs {@code work} in a transaction with {@code lock_timeout} and {@code statement_timeout} set
   * for it alone; commits on success, rolls back on any failure.
   */
  public static <T> T run(
      Connection conn, Duration lockTimeout, Duration statementTimeout, Work<T> work)
      throws SQLException {
    conn.setAutoCommit(false);
    try {
      try (Statement st = conn.createStatement()) {
        st.execute("SET LOCAL lock_timeout = '" + Math.max(1, lockTimeout.toMillis()) + "ms'");
        st.execute(
            "SET LOCAL statement_timeout = '" + Math.max(1, statementTimeout.toMillis()) + "ms'");
      }
      T result = work.run(conn);
      conn.commit();
      return result;
    } catch (SQLException | RuntimeException | Error e) {
      try {
        conn.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    } finally {
      try {
        conn.setAutoCommit(true);
      } catch (SQLException ignored) {
        // The connection is broken; the pool discards it.
      }
    }
  }

  /** Sets a transaction-local setting (the name is a constant of the caller). */
  public static void setLocal(Connection conn, String name, String value) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT set_config(?, ?, true)")) {
      ps.setString(1, name);
      ps.setString(2, value);
      ps.executeQuery().close();
    }
  }

  /** Executes a statement with no result. */
  public static void execute(Connection conn, String sql) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      ps.execute();
    }
  }

  /** A single long value (0 when the query returns no row). */
  public static long queryLong(Connection conn, String sql) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** Prepares a session for engine work: names it, fixes time zone and plan caching. */
  public static void prepareSession(Connection conn) throws SQLException {
    try (Statement st = conn.createStatement()) {
      st.execute("SET application_name = 'inflight'");
      // Cursor values round-trip through text; a fixed zone keeps timestamptz keys exact.
      st.execute("SET TimeZone = 'UTC'");
      // Batch statements carry flags ("no cursor yet") that must fold into index scans.
      st.execute("SET plan_cache_mode = force_custom_plan");
      // A backend whose client died (a killed process) stops its statement instead of holding
      // locks, including the migration's advisory lock, until the statement would have ended.
      st.execute("SET client_connection_check_interval = '1s'");
      // Row-level security must never filter what the engine copies: with this off, a policy
      // that would hide rows makes the statement fail instead.
      st.execute("SET row_security = off");
    }
  }
}
