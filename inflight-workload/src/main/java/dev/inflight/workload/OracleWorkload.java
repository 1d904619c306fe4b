package dev.inflight.workload;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * An application with an exact oracle, for the tests and for fault injection. Thread {@code t} of
 * {@code T} owns the keys congruent to {@code t} modulo {@code T}: it inserts, updates (one row,
 * several rows, and primary keys) and deletes only those, and records each committed effect in its
 * own model. Threads never touch each other's rows, so the union of the models is exactly what the
 * table must hold, however the statements interleave with a migration.
 *
 * <p>The table has the columns {@code id bigint} (the key), {@code owner text}, {@code balance
 * integer}, {@code flag} and {@code note}; only the first three are written, the columns every
 * shape of the table has, as an application deployed for both shapes would.
 *
 * <p>A statement cut off by a lost connection (a restart, a crash) may or may not have committed.
 * Such a statement is in doubt; since no other thread touches its rows, the thread reads them back
 * once the server answers and records the effect only if it happened. Any other error means the
 * statement did not happen. Every error, in doubt or not, is counted in {@link #failures()}.
 */
public final class OracleWorkload implements AutoCloseable {
  /**
   * A row as the application knows it. {@code flag} and {@code note} come from the initial data
   * (the application never writes them; inserted rows take the defaults 0 and NULL) and travel with
   * the row through key changes.
   */
  public record Row(long id, String owner, int balance, int flag, String note) {
    Row withId(long to) {
      return new Row(to, owner, balance, flag, note);
    }

    Row withOwner(String to) {
      return new Row(id, to, balance, flag, note);
    }

    Row withBalance(int to) {
      return new Row(id, owner, to, flag, note);
    }
  }

  private static final Pattern TABLE = Pattern.compile("([a-z_][a-z0-9_]*\\.)?[a-z_][a-z0-9_]*");
  private static final long RESOLVE_NANOS = TimeUnit.MINUTES.toNanos(5);
  private static final long JOIN_MILLIS = 30_000;

  private final DataSource pool;
  private final String table;
  private final int threads;
  private final long seed;
  private final Duration pause;
  private final List<Map<Long, Row>> models = new ArrayList<>();
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicBoolean paused = new AtomicBoolean(false);
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong statements = new AtomicLong();
  private final AtomicLong inDoubt = new AtomicLong();
  private final AtomicLong unresolved = new AtomicLong();
  private final AtomicLong longestNanos = new AtomicLong();
  private final Failures failures = new Failures();

  /**
   * @param table the table, a lower-case name with an optional schema ({@code public.items})
   * @param initial the rows already in the table (each thread takes those it owns)
   * @param pause how long each thread waits between two statements
   */
  public OracleWorkload(
      DataSource pool, String table, int threads, List<Row> initial, long seed, Duration pause) {
    if (!TABLE.matcher(table).matches()) {
      throw new IllegalArgumentException(
          "table must be a lower-case SQL name, optionally with its schema, not " + table);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, not " + threads);
    }
    this.pool = pool;
    this.table = table;
    this.threads = threads;
    this.seed = seed;
    this.pause = pause;
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
      Thread w = new Thread(() -> loop(owner), "oracle-app-" + t);
      w.setDaemon(true);
      w.start();
      workers.add(w);
    }
  }

  /** Stops issuing statements; returns once none is in flight or in doubt. */
  public void pause() throws InterruptedException {
    paused.set(true);
    while (inFlight.get() > 0) {
      Thread.sleep(2);
    }
  }

  public void resume() {
    paused.set(false);
  }

  /** Statements that committed. */
  public long statements() {
    return statements.get();
  }

  /** Statements cut off by a lost connection, whose outcome was then read back. */
  public long inDoubt() {
    return inDoubt.get();
  }

  /** In-doubt statements whose outcome could not be read back: the oracle is then unreliable. */
  public long unresolved() {
    return unresolved.get();
  }

  /** The longest statement that succeeded, in milliseconds, connection wait included. */
  public long longestMillis() {
    return longestNanos.get() / 1_000_000;
  }

  /** Every statement that raised an error, including those in doubt. */
  public Failures failures() {
    return failures;
  }

  /** The rows the table must hold, by key; meaningful while paused or after {@link #close}. */
  public TreeMap<Long, Row> expected() {
    TreeMap<Long, Row> all = new TreeMap<>();
    models.forEach(all::putAll);
    return all;
  }

  private void loop(int t) {
    Random random = new Random(seed * 31 + t);
    Map<Long, Row> mine = models.get(t);
    OwnedWrites writes = new OwnedWrites(table, t, threads);
    while (running.get() && !Thread.currentThread().isInterrupted()) {
      if (paused.get()) {
        sleep(Duration.ofMillis(2));
        continue;
      }
      inFlight.incrementAndGet();
      try {
        if (!paused.get()) {
          execute(writes.next(random, mine), mine);
        }
      } finally {
        inFlight.decrementAndGet();
      }
      sleep(pause);
    }
  }

  private void execute(OwnedWrites.Write write, Map<Long, Row> mine) {
    long start = System.nanoTime();
    try (Connection c = pool.getConnection()) {
      write.run(c);
      write.record(mine);
      statements.incrementAndGet();
      longestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
    } catch (SQLException e) {
      failures.record(e);
      if (inDoubt(e)) {
        inDoubt.incrementAndGet();
        resolve(write, mine);
      }
    }
  }

  /** Reads back whether an in-doubt statement happened, retrying until the server answers. */
  private void resolve(OwnedWrites.Write write, Map<Long, Row> mine) {
    long deadline = System.nanoTime() + RESOLVE_NANOS;
    while (System.nanoTime() < deadline) {
      try (Connection c = pool.getConnection()) {
        if (write.happened(c)) {
          write.record(mine);
          statements.incrementAndGet();
        }
        return;
      } catch (SQLException e) {
        sleep(Duration.ofMillis(200));
      }
    }
    unresolved.incrementAndGet();
  }

  /** A lost connection: the statement may have committed. Every other error rolled it back. */
  static boolean inDoubt(SQLException e) {
    String state = e.getSQLState();
    return state == null || state.startsWith("08") || state.startsWith("57P");
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the threads, letting each finish (or resolve) its statement. */
  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread w : workers) {
      w.join(JOIN_MILLIS);
    }
  }
}
