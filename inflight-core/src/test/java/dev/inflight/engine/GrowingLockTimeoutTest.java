package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Invariant 4, per attempt: a cut-over attempt that cannot get the live table's lock quickly gives
 * up quickly. The first attempt waits 100 ms, each later one twice as long, up to {@code
 * cutover.lockTimeout}; so an application writer queued behind an attempt that a blocker holds up
 * waits about 100, 200, 400 ms, not the lock timeout, and the cut-over completes once the blocker
 * ends.
 */
@ExtendWith(PostgresExtension.class)
class GrowingLockTimeoutTest {
  private static final long LOCK_TIMEOUT_MS = 5000;

  /** One application write: when it started and how long it took. */
  private record Write(long startNanos, long millis) {}

  @Test
  void attemptsWaitFromOneHundredMillisecondsDoublingUpToTheLockTimeout(TestDatabase db)
      throws Exception {
    db.exec(
        "CREATE TABLE orders (id bigint PRIMARY KEY, total integer NOT NULL)",
        "INSERT INTO orders SELECT g, g % 500 FROM generate_series(1, 5000) g");
    MigrationDocument doc =
        Migrations.document(
            "orders-memo",
            "public.orders",
            "- addColumn: {name: memo, type: text}\n",
            "cutover: {mode: Manual, lockTimeout: " + LOCK_TIMEOUT_MS + "ms, maxAttempts: 20}\n");
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("orders-memo", doc.spec());
    assertThat(Migrations.run(engine, m.id(), doc.spec()).phase())
        .isEqualTo(MigrationPhase.AwaitingCutover);
    MigrationSpec proceed =
        Migrations.withControl(
            doc.spec(),
            new MigrationSpec.ControlSpec(
                "", MigrationSpec.CutoverControl.Proceed, MigrationSpec.Action.Run));

    AtomicBoolean writing = new AtomicBoolean(true);
    Queue<Write> writes = new ConcurrentLinkedQueue<>();
    Queue<SQLException> writeFailures = new ConcurrentLinkedQueue<>();
    Thread writer = writer(db, writing, writes, writeFailures);
    AtomicLong blockerPid = new AtomicLong();
    // A young, active transaction holding a lock the swap's ACCESS EXCLUSIVE conflicts with: the
    // probe does not report it (it is neither old nor idle), so every attempt queues behind it.
    Thread blocker =
        new Thread(
            () -> {
              try (Connection c = db.dataSource().getConnection();
                  Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                st.execute("LOCK TABLE orders IN ACCESS SHARE MODE");
                blockerPid.set(pid(c));
                st.execute("SELECT pg_sleep(60)");
              } catch (SQLException e) {
                // Cancelled by the test: its transaction ends with the connection.
              }
            },
            "blocker");
    blocker.start();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                blockerPid.get() != 0
                    && db.count(
                            "SELECT count(*) FROM pg_stat_activity WHERE pid = ?"
                                + " AND query LIKE 'SELECT pg_sleep%'",
                            blockerPid.get())
                        == 1);

    List<Long> recorded = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    long endOfAttempts;
    try {
      for (int attempt = 0; attempt < 3; attempt++) {
        MigrationRecord before = engine.get(m.id());
        StepResult r = engine.step(m.id(), proceed);
        // A step may first catch up on the log; the attempt is the step that counts one.
        for (int i = 0;
            i < 20 && engine.get(m.id()).cutoverAttempts() == before.cutoverAttempts();
            i++) {
          r = engine.step(m.id(), proceed);
        }
        MigrationRecord after = engine.get(m.id());
        assertThat(after.cutoverAttempts()).isEqualTo(before.cutoverAttempts() + 1);
        assertThat(r).isInstanceOf(StepResult.Waiting.class);
        messages.add(((StepResult.Waiting) r).message());
        recorded.add(after.writesBlockedTotalMillis() - before.writesBlockedTotalMillis());
      }
      endOfAttempts = System.nanoTime();
      // Every write that was in flight during the attempts has finished and been measured.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> writes.stream().anyMatch(w -> w.startNanos() > endOfAttempts));
    } finally {
      db.count(
          "SELECT count(*) FROM (SELECT pg_cancel_backend(?::int)) AS cancelled", blockerPid.get());
      blocker.join();
    }

    long[] expected = {100, 200, 400};
    for (int i = 0; i < expected.length; i++) {
      assertThat(messages.get(i))
          .as("attempt %d reports its own lock timeout", i + 1)
          .contains("lock not granted within " + expected[i] + "ms");
      assertThat(recorded.get(i))
          .as("writes blocked in attempt %d, as the engine recorded it (ms)", i + 1)
          .isBetween(expected[i] - 5, expected[i] + 400);
    }
    long longestWrite =
        writes.stream()
            .filter(w -> w.startNanos() < endOfAttempts)
            .mapToLong(Write::millis)
            .max()
            .orElseThrow();
    assertThat(longestWrite)
        .as("the longest application write during the attempts (ms): it queued behind one")
        .isBetween(100L, 400L + 400);

    StepResult done = Migrations.run(engine, m.id(), proceed);
    writing.set(false);
    writer.join();
    assertThat(done.phase()).isEqualTo(MigrationPhase.Completed);
    assertThat(writeFailures).as("application writes that failed").isEmpty();
    assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(5000);
  }

  private static long pid(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        var rs = st.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Thread writer(
      TestDatabase db, AtomicBoolean writing, Queue<Write> writes, Queue<SQLException> failures) {
    Thread t =
        new Thread(
            () -> {
              long i = 0;
              while (writing.get()) {
                long start = System.nanoTime();
                try (Connection c = db.dataSource().getConnection();
                    PreparedStatement ps =
                        c.prepareStatement("UPDATE orders SET total = total + 1 WHERE id = ?")) {
                  ps.setLong(1, 1 + (i++ % 5000));
                  ps.executeUpdate();
                } catch (SQLException e) {
                  failures.add(e);
                }
                writes.add(new Write(start, (System.nanoTime() - start) / 1_000_000));
              }
            },
            "writer");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
