package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.inflight.api.MigrationSpec;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code backfill.maxActiveSessions}: the copy waits while more application sessions than allowed
 * are busy in the database, says how many and on what they wait, and goes on once they are done.
 */
@ExtendWith(PostgresExtension.class)
class ApplicationLoadThrottleTest {
  private static final String CHANGES = "- addColumn: {name: note, type: text}\n";
  private static final int WAITERS = 3;

  @Test
  void copyWaitsWhileApplicationSessionsQueueAndResumesWhenTheyFinish(TestDatabase db)
      throws Exception {
    db.exec(
        "CREATE TABLE parts (id integer PRIMARY KEY, name text NOT NULL)",
        "INSERT INTO parts SELECT g, 'p' || g FROM generate_series(1, 5000) g",
        "CREATE TABLE counters (id integer PRIMARY KEY, n integer NOT NULL)",
        "INSERT INTO counters VALUES (1, 0)");
    MigrationSpec spec =
        Migrations.document(
                "parts-note",
                "public.parts",
                CHANGES,
                "backfill: {batchSize: 500, maxActiveSessions: 2}\n")
            .spec();
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("parts-note", spec);

    // One application transaction holds a row lock; three more queue behind it, as an
    // application's requests do when one of them is slow.
    List<CompletableFuture<Void>> waiters = new ArrayList<>();
    try (Connection holder = DriverManager.getConnection(db.url())) {
      holder.setAutoCommit(false);
      try (Statement st = holder.createStatement()) {
        st.execute("UPDATE counters SET n = n + 1 WHERE id = 1");
      }
      for (int i = 0; i < WAITERS; i++) {
        waiters.add(
            CompletableFuture.runAsync(
                () -> {
                  // Sessions of their own, as an application's: the engine's pool names its
                  // sessions inflight, and the throttle leaves those out.
                  try (Connection c = DriverManager.getConnection(db.url());
                      Statement st = c.createStatement()) {
                    st.execute("UPDATE counters SET n = n + 1 WHERE id = 1");
                  } catch (SQLException e) {
                    throw new IllegalStateException(e);
                  }
                }));
      }
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () ->
                  db.count(
                          "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                              + " AND wait_event_type = 'Lock'")
                      == WAITERS);

      AtomicReference<StepResult> last = new AtomicReference<>();
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () -> {
                last.set(engine.step(m.id(), spec));
                assertThat(last.get().phase()).isEqualTo(engine.get(m.id()).phase());
                assertThat(engine.get(m.id()).backfillDone()).isFalse();
                return last.get() instanceof StepResult.Waiting w
                    && w.throttle() == StepResult.Throttle.ApplicationLoad;
              });
      assertThat(((StepResult.Waiting) last.get()).message())
          // The first waiter waits for the holder's transaction, the others for the row.
          .startsWith("application load: 3 sessions active (3 waiting: Lock:")
          .contains("Lock:transactionid x1")
          .endsWith("), over backfill.maxActiveSessions 2");
      long copied = engine.get(m.id()).rowsCopied();
      assertThat(engine.step(m.id(), spec))
          .isInstanceOfSatisfying(
              StepResult.Waiting.class,
              w -> assertThat(w.throttle()).isEqualTo(StepResult.Throttle.ApplicationLoad));
      assertThat(engine.get(m.id()).rowsCopied()).isEqualTo(copied);

      holder.commit();
    }
    CompletableFuture.allOf(waiters.toArray(CompletableFuture[]::new)).get();
    StepResult done = Migrations.run(engine, m.id(), spec);
    assertThat(done.phase()).isEqualTo(MigrationPhase.Completed);
    assertThat(db.count("SELECT n FROM counters")).isEqualTo(WAITERS + 1);
  }
}
