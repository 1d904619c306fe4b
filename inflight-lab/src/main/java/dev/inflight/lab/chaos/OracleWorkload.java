package dev.inflight.lab.chaos;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An application with an exact oracle that survives server restarts. Thread {@code t} of {@code T}
 * owns the keys congruent to {@code t} modulo {@code T}: it inserts, updates (one row, several
 * rows, and primary keys) and deletes only those, and records each committed effect in its own
 * model, so the union of the models is what the table must hold.
 *
 * <p>A statement cut off by a lost connection (a restart, a crash) may or may not have committed.
 * Such a statement is in doubt; since no other thread touches its rows, the thread reads them back
 * once the server answers and records the effect only if it happened. Any other error means the
 * statement did not happen. Only {@code id}, {@code owner} and {@code balance} are written: the
 * columns both shapes of the table have.
 */
final class OracleWorkload implements AutoCloseable {
  /**
   * A row as the application knows it; {@code flag} and {@code note} come from the initial data.
   */
  record Row(long id, String owner, int balance, int flag, String note) {}

  private final HikariDataSource pool;
  private final int threads;
  private final long seed;
  private final List<Map<Long, Row>> models = new ArrayList<>();
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicBoolean paused = new AtomicBoolean(false);
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong statements = new AtomicLong();
  private final AtomicLong inDoubt = new AtomicLong();
  private final AtomicLong unresolved = new AtomicLong();
  private final AtomicLong longestNanos = new AtomicLong();
  private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();

  OracleWorkload(String jdbcUrl, int threads, List<Row> initial, long seed) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(jdbcUrl);
    cfg.setMaximumPoolSize(threads + 1);
    cfg.setMinimumIdle(0);
    cfg.setConnectionTimeout(3_000);
    cfg.setInitializationFailTimeout(-1);
    cfg.setPoolName("chaos-app");
    cfg.addDataSourceProperty("ApplicationName", "chaos-app");
    this.pool = new HikariDataSource(cfg);
    this.threads = threads;
    this.seed = seed;
    for (int t = 0; t < threads; t++) {
      models.add(new TreeMap<>());
    }
    for (Row r : initial) {
      models.get((int) (r.id() % threads)).put(r.id(), r);
    }
  }

  void start() {
    for (int t = 0; t < threads; t++) {
      int owner = t;
      Thread w = new Thread(() -> loop(owner), "chaos-app-" + t);
      w.setDaemon(true);
      w.start();
      workers.add(w);
    }
  }

  /** Stops issuing statements; returns once none is in flight or in doubt. */
  void pause() throws InterruptedException {
    paused.set(true);
    while (inFlight.get() > 0) {
      Thread.sleep(2);
    }
  }

  long statements() {
    return statements.get();
  }

  /** Statements cut off by a lost connection, whose outcome was then read back. */
  long inDoubt() {
    return inDoubt.get();
  }

  /** In-doubt statements whose outcome could not be read back: the oracle is then unreliable. */
  long unresolved() {
    return unresolved.get();
  }

  /** The longest statement that succeeded, in milliseconds, connection wait included. */
  long longestMillis() {
    return longestNanos.get() / 1_000_000;
  }

  /** Statements that failed for certain, by first line of the error. */
  Map<String, AtomicLong> failures() {
    return failures;
  }

  /** The rows the table must hold, by key. */
  TreeMap<Long, Row> expected() {
    TreeMap<Long, Row> all = new TreeMap<>();
    models.forEach(all::putAll);
    return all;
  }

  private void loop(int t) {
    Random rnd = new Random(seed * 31 + t);
    Map<Long, Row> mine = models.get(t);
    OwnedWrites writes = new OwnedWrites(t, threads);
    while (running.get()) {
      if (paused.get()) {
        sleep(2);
        continue;
      }
      inFlight.incrementAndGet();
      try {
        if (!paused.get()) {
          execute(writes.next(rnd, mine), mine);
        }
      } finally {
        inFlight.decrementAndGet();
      }
      sleep(3);
    }
  }

  private void execute(OwnedWrites.Op op, Map<Long, Row> mine) {
    long start = System.nanoTime();
    try (Connection c = pool.getConnection()) {
      op.run(c);
      op.record(mine);
      statements.incrementAndGet();
      longestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
    } catch (SQLException e) {
      if (!inDoubt(e)) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        failures
            .computeIfAbsent(nl < 0 ? m : m.substring(0, nl), k -> new AtomicLong())
            .incrementAndGet();
        return;
      }
      inDoubt.incrementAndGet();
      resolve(op, mine);
    }
  }

  /** Reads back whether an in-doubt statement happened, retrying until the server answers. */
  private void resolve(OwnedWrites.Op op, Map<Long, Row> mine) {
    long deadline = System.nanoTime() + 300_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (Connection c = pool.getConnection()) {
        if (op.happened(c)) {
          op.record(mine);
          statements.incrementAndGet();
        }
        return;
      } catch (SQLException e) {
        sleep(200);
      }
    }
    unresolved.incrementAndGet();
  }

  /** A lost connection: the statement may have committed. Every other error rolled it back. */
  static boolean inDoubt(SQLException e) {
    String s = e.getSQLState();
    return s == null || s.startsWith("08") || s.startsWith("57P");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread w : workers) {
      w.join(30_000);
    }
    pool.close();
  }
}
