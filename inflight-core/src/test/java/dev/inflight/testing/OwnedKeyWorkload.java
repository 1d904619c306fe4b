package dev.inflight.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * An application workload with an exact oracle. Thread {@code t} of {@code T} owns the keys
 * congruent to {@code t} modulo {@code T}: it inserts, updates (including primary-key changes,
 * single- and multi-row) and deletes only those, and records each committed effect in its own
 * model. Threads never touch each other's rows, so the union of the models is exactly what the
 * table must contain, however the statements interleave with the migration.
 *
 * <p>The workload writes only {@code id}, {@code owner} and {@code balance}, the columns every
 * shape of the test table has, as an application deployed for both shapes would.
 */
public final class OwnedKeyWorkload implements AutoCloseable {
  /**
   * A row as the application knows it. {@code flag} and {@code note} come from the initial data
   * (the application never writes them; inserted rows take the defaults 0 and NULL) and travel with
   * the row through key changes.
   */
  public record Row(long id, String owner, int balance, int flag, String note) {
    Row withId(long to) {
      return new Row(to, owner, balance, flag, note);
    }

    Row withOwner(String o) {
      return new Row(id, o, balance, flag, note);
    }

    Row withBalance(int b) {
      return new Row(id, owner, b, flag, note);
    }
  }

  private final DataSource pool;
  private final String table;
  private final int threads;
  private final List<Map<Long, Row>> models = new ArrayList<>();
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicBoolean paused = new AtomicBoolean(false);
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong statements = new AtomicLong();
  private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
  private final long seed;

  /**
   * @param initial the rows already in the table (each thread takes those it owns)
   */
  public OwnedKeyWorkload(
      DataSource pool, String table, int threads, List<Row> initial, long seed) {
    this.pool = pool;
    this.table = table;
    this.threads = threads;
    this.seed = seed;
    for (int t = 0; t < threads; t++) {
      models.add(new TreeMap<>());
    }
    for (Row r : initial) {
      models.get((int) (r.id() % threads)).put(r.id(), r);
    }
  }

  public void start() {
    for (int t = 0; t < threads; t++) {
      int owner = t;
      Thread w = new Thread(() -> loop(owner), "workload-" + t);
      w.setDaemon(true);
      w.start();
      workers.add(w);
    }
  }

  /** Stops issuing statements and returns once none is in flight. */
  public void pause() {
    paused.set(true);
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .pollInterval(java.time.Duration.ofMillis(1))
        .until(() -> inFlight.get() == 0);
  }

  public void resume() {
    paused.set(false);
  }

  public long statements() {
    return statements.get();
  }

  /** Failed statements by first message line; empty when the application never saw an error. */
  public Map<String, AtomicLong> failures() {
    return failures;
  }

  /** The rows the table must hold, by key. */
  public TreeMap<Long, Row> expected() {
    TreeMap<Long, Row> all = new TreeMap<>();
    models.forEach(all::putAll);
    return all;
  }

  private void loop(int t) {
    Random rnd = new Random(seed * 31 + t);
    Map<Long, Row> mine = models.get(t);
    long nextId = 10_000_000L + t;
    while (running.get()) {
      if (paused.get()) {
        sleepQuietly(2);
        continue;
      }
      inFlight.incrementAndGet();
      try {
        if (paused.get()) {
          continue;
        }
        int op = rnd.nextInt(100);
        List<Long> keys = new ArrayList<>(mine.keySet());
        try (Connection c = pool.getConnection()) {
          if (op < 30 || keys.isEmpty()) {
            long id = nextId;
            nextId += threads;
            Row r = new Row(id, "o" + rnd.nextInt(1000), rnd.nextInt(10_000), 0, null);
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO " + table + " (id, owner, balance) VALUES (?, ?, ?)")) {
              ps.setLong(1, r.id());
              ps.setString(2, r.owner());
              ps.setInt(3, r.balance());
              ps.executeUpdate();
            }
            mine.put(id, r);
          } else if (op < 60) {
            long id = keys.get(rnd.nextInt(keys.size()));
            int balance = rnd.nextInt(10_000);
            try (PreparedStatement ps =
                c.prepareStatement("UPDATE " + table + " SET balance = ? WHERE id = ?")) {
              ps.setInt(1, balance);
              ps.setLong(2, id);
              ps.executeUpdate();
            }
            mine.put(id, mine.get(id).withBalance(balance));
          } else if (op < 70) {
            // Several rows in one statement: the capture triggers see a transition table.
            List<Long> some = new ArrayList<>();
            for (int i = 0; i < 5 && i < keys.size(); i++) {
              some.add(keys.get(rnd.nextInt(keys.size())));
            }
            String owner = "m" + rnd.nextInt(1000);
            try (PreparedStatement ps =
                c.prepareStatement("UPDATE " + table + " SET owner = ? WHERE id = ANY (?)")) {
              ps.setString(1, owner);
              ps.setArray(2, c.createArrayOf("bigint", some.toArray()));
              ps.executeUpdate();
            }
            for (long id : some) {
              mine.put(id, mine.get(id).withOwner(owner));
            }
          } else if (op < 85) {
            // A primary-key change: the row moves to a new key of the same owner.
            long id = keys.get(rnd.nextInt(keys.size()));
            long to = nextId;
            nextId += threads;
            try (PreparedStatement ps =
                c.prepareStatement("UPDATE " + table + " SET id = ? WHERE id = ?")) {
              ps.setLong(1, to);
              ps.setLong(2, id);
              ps.executeUpdate();
            }
            Row old = mine.remove(id);
            mine.put(to, old.withId(to));
          } else {
            long id = keys.get(rnd.nextInt(keys.size()));
            try (PreparedStatement ps =
                c.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
              ps.setLong(1, id);
              ps.executeUpdate();
            }
            mine.remove(id);
          }
          statements.incrementAndGet();
        } catch (SQLException e) {
          String m = String.valueOf(e.getMessage());
          int nl = m.indexOf('\n');
          failures
              .computeIfAbsent(nl < 0 ? m : m.substring(0, nl), k -> new AtomicLong())
              .incrementAndGet();
        }
      } finally {
        inFlight.decrementAndGet();
      }
      sleepQuietly(1);
    }
  }

  private static void sleepQuietly(long ms) {
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
      w.join(10_000);
    }
  }
}
