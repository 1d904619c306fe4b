package dev.inflight.engine.plan;

import dev.inflight.engine.PlanRejectedException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * Planning's check of the connection itself, made before anything is planned or built: Inflight's
 * own connection must be a session on the primary. The step lock is a session-level advisory lock,
 * planning and the swap set {@code lock_timeout} with {@code SET LOCAL}, and the swap is one
 * transaction that must reach one server session; a pooler that hands each transaction to whichever
 * server connection is free (PgBouncer in transaction or statement mode) would let a lock taken by
 * one step be held by another client's session, and a standby cannot be written at all.
 *
 * <p>The pooler test rests on what such a pooler cannot hide. Two connections open at the same time
 * are two sessions: they never share a server process, and neither sees the other's session
 * settings; and one connection keeps its server process and its settings from one transaction to
 * the next. A pooler that assigns server connections per transaction breaks one of these within a
 * few rounds (PgBouncer reuses the most recently released server connection, so the second
 * connection lands on the first one's server process at once). A real session never breaks any, so
 * the check cannot refuse a direct connection or a session-mode pool.
 */
public final class SessionCheck {
  static final int ROUNDS = 3;
  private static final String SETTING = "inflight.session_probe";

  private SessionCheck() {}

  /**
   * Refuses a connection that reaches a standby or a transaction pool, with the reason and what to
   * connect to instead. Needs two connections of {@code dataSource} at once.
   */
  public static void require(DataSource dataSource) throws SQLException {
    try (Connection first = dataSource.getConnection()) {
      if (inRecovery(first)) {
        throw new PlanRejectedException(
            "the connection reaches a standby (pg_is_in_recovery() is true); a migration writes,"
                + " so Inflight needs the primary: CloudNativePG's <cluster>-rw Service (not -ro"
                + " or -r), Crunchy PGO's host key (<cluster>-primary), Zalando's <cluster>"
                + " Service (not <cluster>-repl)");
      }
      try (Connection second = dataSource.getConnection()) {
        List<String> evidence = probe(first, second);
        if (!evidence.isEmpty()) {
          throw new PlanRejectedException(pooledReason(evidence));
        }
      }
    }
  }

  static String pooledReason(List<String> evidence) {
    return "the connection is transaction-pooled ("
        + String.join("; ", evidence)
        + "), as through PgBouncer in transaction mode; Inflight's own connection must be a"
        + " session on the primary (its advisory locks, SET LOCAL and the swap transaction need"
        + " one server session per connection): connect it directly, or through a session-mode"
        + " pool: CloudNativePG's <cluster>-rw Service (not a Pooler), Crunchy PGO's host and port"
        + " keys (not pgbouncer-host or pgbouncer-jdbc-uri), Zalando's <cluster> Service (not"
        + " <cluster>-pooler). The application may keep using its pooler";
  }

  private static boolean inRecovery(Connection conn) throws SQLException {
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /** What the two connections showed that two sessions cannot show; empty for real sessions. */
  private static List<String> probe(Connection first, Connection second) throws SQLException {
    boolean firstAuto = first.getAutoCommit();
    boolean secondAuto = second.getAutoCommit();
    // Each statement its own transaction: a transaction pooler may move the connection after each.
    first.setAutoCommit(true);
    second.setAutoCommit(true);
    List<String> evidence = new ArrayList<>();
    try {
      for (int round = 0; round < ROUNDS && evidence.isEmpty(); round++) {
        String token = Long.toHexString(ThreadLocalRandom.current().nextLong());
        Probe set = query(first, "SELECT pg_backend_pid(), set_config(?, ?, false)", token);
        Probe other = query(second, "SELECT pg_backend_pid(), current_setting(?, true)", null);
        Probe again = query(first, "SELECT pg_backend_pid(), current_setting(?, true)", null);
        if (other.pid() == set.pid()) {
          evidence.add("two connections open at once were served by one server process");
        }
        if (token.equals(other.setting())) {
          evidence.add("a session setting made on one connection was seen on another");
        }
        if (again.pid() != set.pid()) {
          evidence.add("one connection's server process changed between two transactions");
        }
        if (!token.equals(again.setting())) {
          evidence.add("a session setting did not survive the end of its transaction");
        }
      }
      query(first, "SELECT pg_backend_pid(), set_config(?, ?, false)", "");
    } finally {
      first.setAutoCommit(firstAuto);
      second.setAutoCommit(secondAuto);
    }
    return evidence;
  }

  private record Probe(int pid, String setting) {}

  private static Probe query(Connection conn, String sql, String value) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      ps.setString(1, SETTING);
      if (value != null) {
        ps.setString(2, value);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Probe(rs.getInt(1), rs.getString(2));
      }
    }
  }
}
