package dev.inflight.lab.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.inflight.lab.bench.StatementLog.Kind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The benchmark's application: writer and reader threads, each at a fixed rate, through a pool of
 * connections with server-side prepared statements (from the first execution) and the setting the
 * README recommends ({@code autosave=conservative}). Writers insert (35%), update (50%) and delete
 * (15%) rows; readers look rows up by key and count an account's rows through an index. Every
 * statement lands in a {@link StatementLog}.
 *
 * <p>A thread that was held up (by a lock) catches up afterwards at full speed, as a service with
 * queued requests does; only the statement that waited shows the wait.
 */
public final class AppLoad implements AutoCloseable {
  private final HikariDataSource pool;
  private final int writers;
  private final int readers;
  private final int ratePerThread;
  private final long maxInitialId;
  private final StatementLog log = new StatementLog();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);

  public AppLoad(String jdbcUrl, int writers, int readers, int ratePerThread, long maxInitialId) {
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
    this.writers = writers;
    this.readers = readers;
    this.ratePerThread = ratePerThread;
    this.maxInitialId = maxInitialId;
  }

  public void start() {
    for (int i = 0; i < writers; i++) {
      threads.add(started(() -> loop(true), "app-writer-" + i));
    }
    for (int i = 0; i < readers; i++) {
      threads.add(started(() -> loop(false), "app-reader-" + i));
    }
  }

  public StatementLog log() {
    return log;
  }

  private static Thread started(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void loop(boolean writer) {
    long interval = 1_000_000_000L / ratePerThread;
    long next = System.nanoTime();
    while (running.get()) {
      next += interval;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          return;
        }
      }
      if (running.get()) {
        statement(writer);
      }
    }
  }

  private void statement(boolean writer) {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    int dice = rnd.nextInt(100);
    Kind kind =
        !writer ? Kind.READ : dice < 35 ? Kind.INSERT : dice < 85 ? Kind.UPDATE : Kind.DELETE;
    long start = System.nanoTime();
    boolean ok = true;
    try (Connection c = pool.getConnection()) {
      switch (kind) {
        case INSERT -> insert(c, rnd);
        case UPDATE -> update(c, rnd);
        case DELETE -> delete(c, rnd);
        case READ -> read(c, rnd, dice < 50);
      }
    } catch (SQLException e) {
      ok = false;
      String m = String.valueOf(e.getMessage());
      int nl = m.indexOf('\n');
      log.failure(nl < 0 ? m : m.substring(0, nl));
    }
    log.record(start, System.nanoTime() - start, kind, ok);
  }

  private void insert(Connection c, ThreadLocalRandom rnd) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO accounts (account, email, status, balance, flag, payload)"
                + " VALUES (?, ?, 'active', ?, ?, ?)")) {
      long n = rnd.nextLong(1L << 40);
      ps.setString(1, "acct-" + rnd.nextInt(50_000));
      ps.setString(2, "app" + n + "-" + System.nanoTime() + "@example.com");
      ps.setInt(3, rnd.nextInt(100_000));
      ps.setInt(4, rnd.nextInt(2));
      ps.setString(5, Long.toHexString(n).repeat(4));
      ps.executeUpdate();
    }
  }

  private void update(Connection c, ThreadLocalRandom rnd) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE accounts SET balance = balance + ?, updated_at = now() WHERE id = ?")) {
      ps.setInt(1, rnd.nextInt(-100, 100));
      ps.setLong(2, 1 + rnd.nextLong(maxInitialId));
      ps.executeUpdate();
    }
  }

  private void delete(Connection c, ThreadLocalRandom rnd) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM accounts WHERE id = ?")) {
      ps.setLong(1, 1 + rnd.nextLong(maxInitialId));
      ps.executeUpdate();
    }
  }

  private void read(Connection c, ThreadLocalRandom rnd, boolean byKey) throws SQLException {
    String sql =
        byKey
            ? "SELECT id, account, status, balance FROM accounts WHERE id = ?"
            : "SELECT count(*) FROM accounts WHERE account = ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (byKey) {
        ps.setLong(1, 1 + rnd.nextLong(maxInitialId));
      } else {
        ps.setString(1, "acct-" + rnd.nextInt(50_000));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rs.getObject(1);
        }
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(120_000);
    }
    pool.close();
  }
}
