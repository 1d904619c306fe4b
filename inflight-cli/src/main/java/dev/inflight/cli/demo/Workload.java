package dev.inflight.cli.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * An application writing to and reading from {@code users} through a connection pool, the way a
 * service does: server-side prepared statements (pgjdbc's default after five executions), short
 * transactions, a fixed rate per thread. Every statement's outcome and every write's latency is
 * recorded.
 */
final class Workload implements AutoCloseable {
  /** A write and how long it took. */
  record Write(long startNanos, long nanos) {}

  private final DataSource pool;
  private final int writers;
  private final int readers;
  private final int opsPerSecond;
  private final long maxInitialId;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicBoolean paused = new AtomicBoolean(false);
  private final AtomicLong active = new AtomicLong();
  final AtomicLong inserts = new AtomicLong();
  final AtomicLong updates = new AtomicLong();
  final AtomicLong deletes = new AtomicLong();
  final AtomicLong reads = new AtomicLong();
  final AtomicLong failures = new AtomicLong();
  final Map<String, AtomicLong> failureMessages = new ConcurrentHashMap<>();
  final ConcurrentLinkedQueue<Write> slowWrites = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<Long> insertedIds = new ConcurrentLinkedQueue<>();
  private final LatencyHistogram writeLatency = new LatencyHistogram();

  Workload(DataSource pool, int writers, int readers, int opsPerSecond, long maxInitialId) {
    this.pool = pool;
    this.writers = writers;
    this.readers = readers;
    this.opsPerSecond = opsPerSecond;
    this.maxInitialId = maxInitialId;
  }

  void start() {
    for (int i = 0; i < writers; i++) {
      threads.add(started(new Thread(() -> paceLoop(this::write), "app-writer-" + i)));
    }
    for (int i = 0; i < readers; i++) {
      threads.add(started(new Thread(() -> paceLoop(this::read), "app-reader-" + i)));
    }
  }

  private static Thread started(Thread t) {
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Stops issuing statements and waits until none is in flight. */
  void pause() throws InterruptedException {
    paused.set(true);
    while (active.get() > 0) {
      Thread.sleep(5);
    }
  }

  void resume() {
    paused.set(false);
  }

  LatencyHistogram writeLatency() {
    return writeLatency;
  }

  /** The longest write that started or ended within the window. */
  long longestWriteMillis(long fromNanos, long toNanos) {
    long max = 0;
    for (Write w : slowWrites) {
      long end = w.startNanos() + w.nanos();
      if (end >= fromNanos && w.startNanos() <= toNanos) {
        max = Math.max(max, w.nanos() / 1_000_000);
      }
    }
    return max;
  }

  /** Runs {@code op} at the configured rate until stopped, skipping it while paused. */
  private void paceLoop(Runnable op) {
    long intervalNanos = 1_000_000_000L / opsPerSecond;
    long next = System.nanoTime();
    while (running.get()) {
      next += intervalNanos;
      if (!paced(next)) {
        continue;
      }
      active.incrementAndGet();
      try {
        if (!paused.get()) {
          op.run();
        }
      } finally {
        active.decrementAndGet();
      }
    }
  }

  private void write() {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    int op = rnd.nextInt(100);
    long start = System.nanoTime();
    try (Connection c = pool.getConnection()) {
      if (op < 35) {
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO users (name, email, status, last_login) VALUES (?, ?, 'active', ?) RETURNING id")) {
          String name = "app-" + rnd.nextLong(1_000_000_000L);
          ps.setString(1, name);
          ps.setString(2, name + "-" + System.nanoTime() + "@example.com");
          ps.setTimestamp(3, Timestamp.from(Instant.now()));
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            insertedIds.add(rs.getLong(1));
          }
        }
        inserts.incrementAndGet();
      } else if (op < 85) {
        try (PreparedStatement ps =
            c.prepareStatement("UPDATE users SET last_login = ?, status = ? WHERE id = ?")) {
          ps.setTimestamp(1, Timestamp.from(Instant.now()));
          ps.setString(2, rnd.nextBoolean() ? "active" : "inactive");
          ps.setLong(3, 1 + rnd.nextLong(maxInitialId));
          ps.executeUpdate();
        }
        updates.incrementAndGet();
      } else {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM users WHERE id = ?")) {
          ps.setLong(1, 1 + rnd.nextLong(maxInitialId));
          ps.executeUpdate();
        }
        deletes.incrementAndGet();
      }
    } catch (SQLException e) {
      fail(e);
      return;
    }
    long nanos = System.nanoTime() - start;
    writeLatency.record(nanos);
    if (nanos > 20_000_000L) {
      slowWrites.add(new Write(start, nanos));
    }
  }

  private void read() {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    // Both forms a service uses: named columns, and SELECT * (whose result type changes with the
    // migration; the pool sets autosave=conservative so pgjdbc re-prepares it transparently).
    String sql =
        rnd.nextBoolean()
            ? "SELECT id, name, status FROM users WHERE id = ?"
            : "SELECT * FROM users WHERE id = ?";
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, 1 + rnd.nextLong(maxInitialId));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rs.getString("name");
        }
      }
      reads.incrementAndGet();
    } catch (SQLException e) {
      fail(e);
    }
  }

  private void fail(SQLException e) {
    failures.incrementAndGet();
    String msg = String.valueOf(e.getMessage());
    int nl = msg.indexOf('\n');
    failureMessages
        .computeIfAbsent(nl < 0 ? msg : msg.substring(0, nl), k -> new AtomicLong())
        .incrementAndGet();
  }

  private boolean paced(long next) {
    long wait = next - System.nanoTime();
    if (wait > 0) {
      try {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running.set(false);
        return false;
      }
    }
    return running.get();
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join();
    }
  }
}
