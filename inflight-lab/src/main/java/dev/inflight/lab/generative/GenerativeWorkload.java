package dev.inflight.lab.generative;

import dev.inflight.workload.Failures;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * The application of a generated case: writer threads, each owning its rows and keeping its own
 * model of them, and, when the case draws {@link Activity#TRUNCATE_REFILL}, a thread that now and
 * then truncates the table and refills it with part of the rows. The truncation is the one write
 * that touches every thread's rows, so it runs while no other write is in flight (a read-write
 * lock), as does {@link #pause()}. The union of the models is then exactly what the table holds.
 */
final class GenerativeWorkload implements AutoCloseable {
  static final int THREADS = 3;
  private static final long PAUSE_MILLIS = 8;
  private static final String HARNESS_ERROR = "GEN02";
  private static final long LONG_GAP_MILLIS = 1_500;

  private final DataSource pool;
  private final GenerativeCase spec;
  private final Random random;
  private final List<Writer> writers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final ReentrantReadWriteLock quiet = new ReentrantReadWriteLock();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong longestNanos = new AtomicLong();
  private final AtomicLong statements = new AtomicLong();
  private final AtomicLong truncations = new AtomicLong();
  private final Failures failures = new Failures();
  private final LongSlot longSlot = new LongSlot(LONG_GAP_MILLIS);

  GenerativeWorkload(DataSource pool, GenerativeCase spec) {
    this.pool = pool;
    this.spec = spec;
    this.random = new Random(spec.seed());
    List<Activity> writes = new ArrayList<>(spec.activities());
    writes.remove(Activity.TRUNCATE_REFILL);
    writes.remove(Activity.OTHERS_OBJECTS);
    for (int t = 0; t < THREADS; t++) {
      writers.add(
          new Writer(
              spec.shape(),
              t,
              new Random(random.nextLong()),
              writes,
              longestNanos,
              statements,
              longSlot));
    }
  }

  /** Fills the empty table with {@code perThread} rows of each writer, some of them TOASTed. */
  void load(Connection c, int perThread) throws SQLException {
    List<String[]> all = new ArrayList<>();
    for (Writer w : writers) {
      for (int i = 0; i < perThread; i++) {
        String[] row = w.rows().fresh(random);
        if (i == 0 && spec.shape().unique()) {
          row[w.rows().column("chosen")] = "true";
        }
        w.own(row);
        all.add(row);
      }
    }
    copy(c, all);
  }

  void start() {
    for (int t = 0; t < THREADS; t++) {
      Writer w = writers.get(t);
      threads.add(daemon("gen-writer-" + t, () -> loop(w)));
    }
    if (spec.activities().contains(Activity.TRUNCATE_REFILL)) {
      Random r = new Random(random.nextLong());
      threads.add(daemon("gen-truncate", () -> truncations(r)));
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void loop(Writer w) {
    while (running.get()) {
      quiet.readLock().lock();
      try (Connection c = pool.getConnection()) {
        try {
          w.next(c);
        } catch (SQLException e) {
          failures.record(e);
          if (!c.getAutoCommit()) {
            c.rollback();
          }
        }
      } catch (SQLException e) {
        failures.record(e);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // A defect of the harness itself: counted, so the case fails instead of passing idle.
        failures.record(new SQLException("harness error: " + e, HARNESS_ERROR, e));
      } finally {
        quiet.readLock().unlock();
      }
      sleep(PAUSE_MILLIS);
    }
  }

  private void truncations(Random r) {
    while (running.get()) {
      sleep(1_000 + r.nextInt(2_500));
      if (!running.get()) {
        return;
      }
      quiet.writeLock().lock();
      try (Connection c = pool.getConnection()) {
        truncateAndRefill(c, r);
      } catch (SQLException e) {
        failures.record(e);
      } finally {
        quiet.writeLock().unlock();
      }
    }
  }

  /** {@code TRUNCATE} and a refill with about two thirds of the rows, in one transaction. */
  private void truncateAndRefill(Connection c, Random r) throws SQLException {
    List<Map<List<String>, String[]>> kept = new ArrayList<>();
    List<String[]> refill = new ArrayList<>();
    for (Writer w : writers) {
      Map<List<String>, String[]> keep = new HashMap<>(w.model());
      for (Iterator<String[]> it = keep.values().iterator(); it.hasNext(); ) {
        if (r.nextInt(3) == 0) {
          it.next();
          it.remove();
        } else {
          refill.add(it.next());
        }
      }
      kept.add(keep);
    }
    c.setAutoCommit(false);
    try {
      // Timed: the TRUNCATE (which waits for every lock on the table) and the commit; the refill
      // is the application's own bulk work, not a wait.
      long start = System.nanoTime();
      try (Statement st = c.createStatement()) {
        // CASCADE: another session may have added a foreign key to the table meanwhile.
        st.execute("TRUNCATE subject CASCADE");
      }
      long waited = System.nanoTime() - start;
      copy(c, refill);
      start = System.nanoTime();
      c.commit();
      longestNanos.accumulateAndGet(waited + System.nanoTime() - start, Math::max);
      statements.incrementAndGet();
      truncations.incrementAndGet();
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
    for (int t = 0; t < THREADS; t++) {
      writers.get(t).model().clear();
      writers.get(t).model().putAll(kept.get(t));
    }
  }

  private void copy(Connection c, List<String[]> rows) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    StringBuilder b = new StringBuilder();
    rows.forEach(row -> b.append(Rows.copyLine(row)));
    try {
      c.unwrap(PGConnection.class)
          .getCopyAPI()
          .copyIn(
              "COPY subject (" + String.join(", ", spec.shape().columns()) + ") FROM STDIN",
              new StringReader(b.toString()));
    } catch (IOException e) {
      throw new SQLException("COPY failed: " + e.getMessage(), e);
    }
  }

  /** Waits until no write is in flight and lets none start until {@link #resume()}. */
  void pause() {
    quiet.writeLock().lock();
  }

  void resume() {
    quiet.writeLock().unlock();
  }

  /** Every row the table must hold, by key; meaningful while paused or after {@link #close}. */
  Map<List<String>, String[]> expected() {
    Map<List<String>, String[]> all = new HashMap<>();
    writers.forEach(w -> all.putAll(w.model()));
    return all;
  }

  Failures failures() {
    return failures;
  }

  long statements() {
    return statements.get();
  }

  long truncations() {
    return truncations.get();
  }

  /** The longest single statement (or commit) of the application, in milliseconds. */
  long longestMillis() {
    return longestNanos.get() / 1_000_000;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(30_000);
    }
  }
}
