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
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Invariant 4: a transaction holding a lock on the table holds up the cut-over, never the
 * application. A reported blocker (idle in a transaction) is waited out without queueing for the
 * lock; a blocker too young to report makes one attempt time out after its own timeout (100 ms
 * doubled per earlier attempt, at most {@code lockTimeout}), which bounds how long writers wait;
 * the cut-over completes once the blocker is gone.
 */
@Tag("pg15")
@ExtendWith(PostgresExtension.class)
class LockContentionTest {
  private static final long LOCK_TIMEOUT_MS = 3000;

  @Test
  void blockerDelaysCutoverIsReportedAndWritersWaitAtMostTheLockTimeout(TestDatabase db)
      throws Exception {
    db.exec(
        "CREATE TABLE orders (id bigint PRIMARY KEY, total integer NOT NULL, state text NOT NULL DEFAULT 'new')",
        "INSERT INTO orders SELECT g, g % 500, 'new' FROM generate_series(1, 5000) g");
    MigrationDocument doc =
        Migrations.document(
            "orders-total-bigint",
            "public.orders",
            "- alterColumnType: {column: total, type: bigint}\n",
            "cutover: {mode: Manual, lockTimeout: " + LOCK_TIMEOUT_MS + "ms, maxAttempts: 20}\n");
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("orders-total-bigint", doc.spec());
    StepResult gate = Migrations.run(engine, m.id(), doc.spec());
    assertThat(gate.phase()).isEqualTo(MigrationPhase.AwaitingCutover);
    MigrationSpec proceed =
        Migrations.withControl(
            doc.spec(),
            new MigrationSpec.ControlSpec(
                "", MigrationSpec.CutoverControl.Proceed, MigrationSpec.Action.Run));

    AtomicLong longestWriteMs = new AtomicLong();
    AtomicBoolean writing = new AtomicBoolean(true);
    Thread writer = writer(db, writing, longestWriteMs);
    try (Connection blocker = db.dataSource().getConnection();
        Statement st = blocker.createStatement()) {
      // 1. An idle transaction that has written to the table: reported, never queued behind.
      blocker.setAutoCommit(false);
      st.execute("UPDATE orders SET state = state WHERE id = 1");
      long pid =
          db.count(
              "SELECT pid FROM pg_stat_activity WHERE state LIKE 'idle in transaction%' AND query LIKE 'UPDATE orders%'");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  db.count(
                          "SELECT count(*) FROM pg_stat_activity WHERE pid = ?"
                              + " AND now() - state_change > interval '300 ms'",
                          pid)
                      == 1);
      StepResult first =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(
                  () -> engine.step(m.id(), proceed),
                  r ->
                      r instanceof StepResult.Waiting w
                          && w.reason() == StepResult.WaitReason.LockContention);
      assertThat(((StepResult.Waiting) first).message())
          .contains("pid " + pid)
          .contains("idle in transaction");
      assertThat(engine.get(m.id()).cutoverBlockedBy()).containsExactly("pid " + pid);
      assertThat(engine.status(m.id(), proceed).cutover().blockedBy())
          .containsExactly("pid " + pid);
      assertThat(engine.get(m.id()).phase()).isEqualTo(MigrationPhase.CuttingOver);
      blocker.commit();
      blocker.setAutoCommit(true);
    }
    assertThat(longestWriteMs.get())
        .as("writes were never queued behind a reported blocker")
        .isLessThan(LOCK_TIMEOUT_MS);

    // 2. A young blocker the probe does not report: one attempt waits lockTimeout and gives up.
    AtomicBoolean sleeping = new AtomicBoolean(true);
    Thread young =
        new Thread(
            () -> {
              try (Connection c = db.dataSource().getConnection();
                  Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.execute("LOCK TABLE orders IN ACCESS SHARE MODE");
                sleeping.set(true);
                s.execute("SELECT pg_sleep(" + (LOCK_TIMEOUT_MS * 2) / 1000.0 + ")");
                c.commit();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    young.start();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                db.count(
                        "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%'")
                    > 0);
    StepResult timedOut = engine.step(m.id(), proceed);
    young.join();
    assertThat(timedOut)
        .isInstanceOfSatisfying(
            StepResult.Waiting.class, w -> assertThat(w.message()).contains("lock not granted"));
    // The attempt's own timeout: 100 ms doubled per earlier attempt, at most lockTimeout.
    long attemptTimeoutMs =
        Long.parseLong(
            ((StepResult.Waiting) timedOut)
                .message()
                .replaceAll(".*lock not granted within (\\d+)ms.*", "$1"));
    assertThat(attemptTimeoutMs).isBetween(100L, LOCK_TIMEOUT_MS);

    // 3. Nothing in the way: the cut-over completes.
    StepResult done = Migrations.run(engine, m.id(), proceed);
    writing.set(false);
    writer.join();
    assertThat(done.phase()).isEqualTo(MigrationPhase.Completed);
    MigrationRecord after = engine.get(m.id());
    assertThat(after.cutoverAttempts()).isGreaterThanOrEqualTo(3);
    assertThat(after.writesBlockedMillis())
        .as("the timed-out attempt is recorded")
        .isGreaterThanOrEqualTo(attemptTimeoutMs - 50);
    assertThat(after.writesBlockedTotalMillis())
        .as("what writes waited over every attempt, the timed-out one and the winning one")
        .isGreaterThan(after.writesBlockedMillis());
    assertThat(engine.status(m.id(), proceed).cutover().writesBlockedTotalMillis())
        .isEqualTo(after.writesBlockedTotalMillis());
    assertThat(longestWriteMs.get())
        .as("longest application write (ms) across all attempts")
        .isLessThan(LOCK_TIMEOUT_MS + 700);
    assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(5000);
    assertThat(
            db.strings(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'total'"))
        .containsExactly("bigint");
  }

  private static Thread writer(TestDatabase db, AtomicBoolean writing, AtomicLong longest) {
    Thread t =
        new Thread(
            () -> {
              long i = 0;
              while (writing.get()) {
                long start = System.nanoTime();
                try (Connection c = db.dataSource().getConnection();
                    PreparedStatement ps =
                        c.prepareStatement("UPDATE orders SET total = total + 1 WHERE id = ?")) {
                  ps.setLong(1, 2 + (i++ % 4000));
                  ps.executeUpdate();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
                longest.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
              }
            },
            "writer");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
