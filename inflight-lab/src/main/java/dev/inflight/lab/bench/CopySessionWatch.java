package dev.inflight.lab.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Counts how many of the migration's sessions ({@code application_name} {@code inflight}) run a
 * statement at once while it is in Backfilling, every 25 ms: the workers that really copied. The
 * engine opens fewer workers than {@code backfill.parallelism} when the pool it draws from cannot
 * spare the sessions, and the table of workers must say so rather than divide by the setting.
 */
final class CopySessionWatch extends Thread implements AutoCloseable {
  private final String url;
  private final String migration;
  private volatile int most;

  CopySessionWatch(String url, String migration) {
    super("copy-session-watch");
    setDaemon(true);
    this.url = url;
    this.migration = migration;
  }

  @Override
  public void run() {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT (SELECT phase FROM inflight.migrations WHERE name = ?"
                    + " ORDER BY id DESC LIMIT 1),"
                    + " (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND application_name = 'inflight' AND state = 'active')")) {
      ps.setString(1, migration);
      while (!isInterrupted()) {
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next() && "Backfilling".equals(rs.getString(1))) {
            most = Math.max(most, rs.getInt(2));
          }
        } catch (SQLException e) {
          // The ledger does not exist yet.
        }
        Thread.sleep(25);
      }
    } catch (SQLException | InterruptedException e) {
      // Done.
    }
  }

  /** The most sessions seen copying at once; 0 when the copy was too short to see. */
  int most() {
    return most;
  }

  @Override
  public void close() throws InterruptedException {
    interrupt();
    join();
  }
}
