package dev.inflight.lab.chaos;

import dev.inflight.workload.PgCluster;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Does the harm. Sessions of the driving process are recognised by their {@code application_name}
 * ({@code inflight}, which the engine sets), so the application's sessions are never touched except
 * by a server restart, which ends every session.
 */
final class Injector {
  private final PgCluster cluster;
  private final String database;
  private final String url;

  Injector(PgCluster cluster, String database) {
    this.cluster = cluster;
    this.database = database;
    this.url = cluster.jdbcUrl(database) + "&ApplicationName=chaos";
  }

  /** Terminates every session of the driving process; returns how many there were. */
  int terminate() throws SQLException {
    return signal("pg_terminate_backend(pid)", "");
  }

  /** Cancels every statement of the driving process that has run longer than {@code ms}. */
  int cancelOlderThan(long ms) throws SQLException {
    return signal(
        "pg_cancel_backend(pid)",
        " AND state = 'active' AND now() - query_start > " + ms + " * interval '1 millisecond'");
  }

  private int signal(String function, String condition) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) FILTER (WHERE "
                    + function
                    + ") FROM pg_stat_activity WHERE datname = ? AND application_name = 'inflight'"
                    + " AND pid <> pg_backend_pid()"
                    + condition)) {
      ps.setString(1, database);
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  void restart(PgCluster.Shutdown mode) throws IOException {
    cluster.restart(mode);
  }

  /**
   * A transaction that takes {@code ACCESS SHARE} on the table and keeps it {@code millis}, either
   * running a query ({@code pg_sleep}) or idle in transaction. Returns once the lock is held.
   */
  Thread longTransaction(long millis, boolean idle) throws InterruptedException {
    AtomicBoolean holding = new AtomicBoolean();
    Thread t =
        new Thread(
            () -> {
              try (Connection c = DriverManager.getConnection(url);
                  Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                st.execute("LOCK TABLE items IN ACCESS SHARE MODE");
                holding.set(true);
                if (idle) {
                  Thread.sleep(millis);
                } else {
                  st.execute("SELECT pg_sleep(" + millis / 1000.0 + ")");
                }
                c.commit();
              } catch (SQLException | InterruptedException e) {
                // A restart or the end of the trial: the lock is gone either way.
              } finally {
                // Never leave the caller waiting for a lock that will not come.
                holding.set(true);
              }
            },
            "chaos-long-transaction");
    t.setDaemon(true);
    t.start();
    while (!holding.get()) {
      Thread.sleep(5);
    }
    return t;
  }

  /**
   * Keeps the table busy with short transactions that hold the lock writers hold ({@code ROW
   * EXCLUSIVE}, 700 ms each, too young to be reported as blockers), so that the migration's DDL
   * (capture triggers, the swap) waits for its lock and the phase lasts long enough to be hit.
   */
  Contention contention() {
    return new Contention(url);
  }

  /** A running contention thread. */
  static final class Contention implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    private Contention(String url) {
      thread =
          new Thread(
              () -> {
                while (running.get()) {
                  try (Connection c = DriverManager.getConnection(url);
                      Statement st = c.createStatement()) {
                    while (running.get()) {
                      c.setAutoCommit(false);
                      st.execute("LOCK TABLE items IN ROW EXCLUSIVE MODE");
                      st.execute("SELECT pg_sleep(0.7)");
                      c.commit();
                    }
                  } catch (SQLException e) {
                    try {
                      Thread.sleep(200);
                    } catch (InterruptedException ie) {
                      return;
                    }
                  }
                }
              },
              "chaos-contention");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(5_000);
    }
  }
}
