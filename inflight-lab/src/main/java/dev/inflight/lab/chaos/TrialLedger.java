package dev.inflight.lab.chaos;

import dev.inflight.engine.MigrationPhase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** Reads the ledger of the trial database, across restarts of the server. */
public final class TrialLedger implements AutoCloseable {
  private final String url;
  private final String name;
  private Connection conn;

  TrialLedger(String url) {
    this(url, Trial.NAME);
  }

  /** The ledger of the migration called {@code name} (a checked resource name). */
  public TrialLedger(String url, String name) {
    if (!name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
      throw new IllegalArgumentException("not a resource name: " + name);
    }
    this.url = url + "&ApplicationName=chaos";
    this.name = name;
  }

  /** The phase of the newest migration of the trial, or null (no ledger, no server). */
  public MigrationPhase phase() {
    String p =
        query(
            "SELECT phase FROM inflight.migrations WHERE name = '"
                + name
                + "' ORDER BY id DESC LIMIT 1");
    return p == null ? null : MigrationPhase.valueOf(p);
  }

  /** A disk-full error recorded in the ledger, or null. */
  String spaceError() {
    return query(
        "SELECT coalesce(failure, last_error) FROM inflight.migrations WHERE name = '"
            + name
            + "' AND coalesce(failure, last_error) ~* 'space|could not extend|could not write'"
            + " ORDER BY id DESC LIMIT 1");
  }

  /** Attempts of the cut-over (or of the rollback's swap) of the newest migration. */
  long swapAttempts(boolean rollback) {
    String n =
        query(
            "SELECT "
                + (rollback ? "rollback_attempts" : "cutover_attempts")
                + " FROM inflight.migrations WHERE name = '"
                + name
                + "' ORDER BY id DESC LIMIT 1");
    return n == null ? 0 : Long.parseLong(n);
  }

  /** True while a session of the driving process waits for a table lock (the swap's). */
  boolean swapWaitingForLock() {
    String n =
        query(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'inflight'"
                + " AND wait_event_type = 'Lock' AND query LIKE 'LOCK TABLE%'");
    return n != null && !n.equals("0");
  }

  /** Polls until the migration is in {@code phase} or past it; false if the driver ended first. */
  public boolean await(MigrationPhase phase, Driver driver) throws InterruptedException {
    long end = System.nanoTime() + Trial.SETTLE_MILLIS * 1_000_000;
    while (System.nanoTime() < end) {
      MigrationPhase now = phase();
      if (now == phase) {
        return true;
      }
      if (now != null && now.ordinal() > phase.ordinal() && !now.terminal()) {
        return true;
      }
      if (!driver.alive()) {
        return phase() == phase;
      }
      Thread.sleep(10);
    }
    return false;
  }

  /** The first column of the first row, or null; tries once more on a fresh connection. */
  private String query(String sql) {
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        if (conn == null || conn.isClosed()) {
          conn = DriverManager.getConnection(url);
        }
        try (Statement st = conn.createStatement();
            var rs = st.executeQuery(sql)) {
          return rs.next() ? rs.getString(1) : null;
        }
      } catch (SQLException e) {
        close();
      }
    }
    return null;
  }

  @Override
  public void close() {
    try {
      if (conn != null) {
        conn.close();
      }
    } catch (SQLException ignored) {
      // Gone already.
    }
    conn = null;
  }
}
