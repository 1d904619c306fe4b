package dev.inflight.engine;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.inflight.engine.phase.StepContext;
import dev.inflight.engine.sql.Tx;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** The engine's sessions, from its data source, each prepared the same way ({@link Tx}). */
final class PooledSessions implements StepContext.Sessions {
  private final DataSource dataSource;

  PooledSessions(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public Connection open() throws SQLException {
    Connection conn = dataSource.getConnection();
    try {
      Tx.prepareSession(conn);
      return conn;
    } catch (SQLException e) {
      conn.close();
      throw e;
    }
  }

  /**
   * Sessions a step's workers may take from a Hikari pool now: those it has not lent out (the
   * step's own session is lent), less one left for whatever else the process does meanwhile (status
   * reads, another migration's step); a worker waiting for a connection would only stall the step.
   * Another kind of data source is its owner's to size, for the parallelism its migrations ask.
   */
  @Override
  public int spare() {
    try {
      if (dataSource.isWrapperFor(HikariDataSource.class)) {
        HikariDataSource pool = dataSource.unwrap(HikariDataSource.class);
        HikariPoolMXBean state = pool.getHikariPoolMXBean();
        int lent = state == null ? 1 : state.getActiveConnections();
        return Math.max(0, pool.getMaximumPoolSize() - lent - 1);
      }
    } catch (SQLException e) {
      return 0;
    }
    return Integer.MAX_VALUE - 1;
  }
}
