package dev.inflight.lab.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.inflight.workload.Failures;
import dev.inflight.workload.Mix;
import dev.inflight.workload.PacedWorkload;
import dev.inflight.workload.Role;
import dev.inflight.workload.StatementLog;
import dev.inflight.workload.StatementLog.Kind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The benchmark's application on {@code accounts}: writer and reader threads at a fixed rate (a
 * {@link PacedWorkload}), through a pool of connections with server-side prepared statements (from
 * the first execution) and the setting the README recommends ({@code autosave=conservative}).
 * Writers insert (35%), update (50%) and delete (15%) rows; readers look rows up by key and count
 * an account's rows through an index.
 */
final class AccountsApplication implements AutoCloseable {
  private static final int ACCOUNTS = 50_000;

  private final HikariDataSource pool;
  private final PacedWorkload workload;
  private final long maxInitialId;

  AccountsApplication(
      String jdbcUrl, int writers, int readers, int ratePerThread, long maxInitialId) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(jdbcUrl);
    cfg.setMaximumPoolSize(writers + readers);
    cfg.setMinimumIdle(writers + readers);
    cfg.setPoolName("app");
    cfg.setConnectionTimeout(60_000);
    cfg.addDataSourceProperty("prepareThreshold", "1");
    cfg.addDataSourceProperty("autosave", "conservative");
    cfg.addDataSourceProperty("ApplicationName", "bench-app");
    this.pool = new HikariDataSource(cfg);
    this.maxInitialId = maxInitialId;
    Mix writes =
        Mix.of(Kind.INSERT, 35, this::insert)
            .and(Kind.UPDATE, 50, this::update)
            .and(Kind.DELETE, 15, this::delete);
    Mix reads = Mix.of(Kind.READ, 1, this::readByKey).and(Kind.READ, 1, this::countByAccount);
    this.workload =
        new PacedWorkload(
            List.of(
                new Role("app-writer", writers, ratePerThread, pool, writes),
                new Role("app-reader", readers, ratePerThread, pool, reads)));
  }

  void start() {
    workload.start();
  }

  StatementLog log() {
    return workload.log();
  }

  Failures failures() {
    return workload.failures();
  }

  private void insert(Connection c, RandomGenerator random) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO accounts (account, email, status, balance, flag, payload)"
                + " VALUES (?, ?, 'active', ?, ?, ?)")) {
      long n = random.nextLong(1L << 40);
      ps.setString(1, "acct-" + random.nextInt(ACCOUNTS));
      ps.setString(2, "app" + n + "-" + System.nanoTime() + "@example.com");
      ps.setInt(3, random.nextInt(100_000));
      ps.setInt(4, random.nextInt(2));
      ps.setString(5, Long.toHexString(n).repeat(4));
      ps.executeUpdate();
    }
  }

  private void update(Connection c, RandomGenerator random) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE accounts SET balance = balance + ?, updated_at = now() WHERE id = ?")) {
      ps.setInt(1, random.nextInt(-100, 100));
      ps.setLong(2, anyInitialId(random));
      ps.executeUpdate();
    }
  }

  private void delete(Connection c, RandomGenerator random) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM accounts WHERE id = ?")) {
      ps.setLong(1, anyInitialId(random));
      ps.executeUpdate();
    }
  }

  private void readByKey(Connection c, RandomGenerator random) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT id, account, status, balance FROM accounts WHERE id = ?")) {
      ps.setLong(1, anyInitialId(random));
      drain(ps);
    }
  }

  private void countByAccount(Connection c, RandomGenerator random) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT count(*) FROM accounts WHERE account = ?")) {
      ps.setString(1, "acct-" + random.nextInt(ACCOUNTS));
      drain(ps);
    }
  }

  private static void drain(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        rs.getObject(1);
      }
    }
  }

  private long anyInitialId(RandomGenerator random) {
    return 1 + random.nextLong(maxInitialId);
  }

  /** Stops the application (each thread finishes its statement), then closes its pool. */
  @Override
  public void close() throws InterruptedException {
    try {
      workload.close();
    } finally {
      pool.close();
    }
  }
}
