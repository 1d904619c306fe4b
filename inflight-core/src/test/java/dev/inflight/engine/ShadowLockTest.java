package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import dev.inflight.workload.Mix;
import dev.inflight.workload.PacedWorkload;
import dev.inflight.workload.Role;
import dev.inflight.workload.StatementLog;
import dev.inflight.workload.StatementLog.Kind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Invariant 4, at cut-over: nothing but the migration writes to the shadow table, yet autovacuum
 * does (a freshly copied shadow is a prime candidate, and PostgreSQL cancels an autovacuum only
 * after {@code deadlock_timeout}, 1 s by default, of someone waiting for it). A lock held on the
 * shadow alone must not make the application wait: the swap must not hold the live table while it
 * waits for the shadow, nor count that wait as the application's.
 */
@ExtendWith(PostgresExtension.class)
class ShadowLockTest {
  @Test
  void aLockHeldOnTheShadowAloneDoesNotBlockTheApplicationAtCutover(TestDatabase db)
      throws Exception {
    db.exec(
        "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL, balance integer NOT NULL)",
        "INSERT INTO items SELECT g, 'o' || (g % 7), g FROM generate_series(1, 20000) g");
    MigrationDocument doc =
        Migrations.document(
            "items-memo",
            "public.items",
            "- addColumn: {name: memo, type: text, default: \"'x'\"}",
            "cutover: {mode: Manual, lockTimeout: 5s}");
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit(doc.metadata().name(), doc.spec());
    assertThat(Migrations.run(engine, m.id(), doc.spec()).phase())
        .isEqualTo(MigrationPhase.AwaitingCutover);

    try (PacedWorkload app =
        new PacedWorkload(List.of(new Role("writer", 1, 100, db.dataSource(), updates())))) {
      app.start();
      StepResult r = cutOverWhileTheShadowIsLocked(db, engine, m.id(), doc);
      app.pause();

      assertThat(r.phase()).isEqualTo(MigrationPhase.Completed);
      assertThat(StatementLog.latency(app.log().all()).max())
          .as("longest application write during the cut-over, in ms")
          .isLessThan(500);
      assertThat(app.log().count(StatementLog.succeededWrites())).isPositive();
      assertThat(app.failures().counts()).as("application statements that failed").isEmpty();
    }
    // The swap waited about a second for the shadow, which blocked nobody: what it reports as the
    // application's wait starts at its request for the live table's lock.
    MigrationRecord after = engine.get(m.id());
    assertThat(after.writesBlockedMillis())
        .as("reported write-blocking time of the winning attempt, in ms")
        .isLessThan(500);
    assertThat(after.writesBlockedTotalMillis())
        .as("reported write-blocking time over all attempts, in ms")
        .isLessThan(500);
  }

  /** Proceeds to cut-over while another session holds a lock on the shadow for 1.5 s. */
  private static StepResult cutOverWhileTheShadowIsLocked(
      TestDatabase db, Engine engine, long id, MigrationDocument doc) throws Exception {
    CountDownLatch locked = new CountDownLatch(1);
    // What an autovacuum worker looks like to the swap: a young, active session holding SHARE
    // UPDATE EXCLUSIVE on the shadow for a while.
    Thread vacuum =
        new Thread(
            () -> {
              try (Connection c = db.dataSource().getConnection();
                  Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                st.execute("LOCK TABLE public.items__ifl_new IN SHARE UPDATE EXCLUSIVE MODE");
                locked.countDown();
                st.execute("SELECT pg_sleep(1.5)");
                c.commit();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    vacuum.start();
    locked.await();
    MigrationSpec proceed =
        Migrations.withControl(
            doc.spec(),
            new MigrationSpec.ControlSpec(
                "", MigrationSpec.CutoverControl.Proceed, MigrationSpec.Action.Run));
    StepResult r = Migrations.run(engine, id, proceed);
    vacuum.join();
    return r;
  }

  /** Single-row updates of random rows. */
  private static Mix updates() {
    return Mix.of(
        Kind.UPDATE,
        1,
        (c, random) -> {
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE items SET balance = balance + 1 WHERE id = ?")) {
            ps.setLong(1, 1 + random.nextInt(20000));
            ps.executeUpdate();
          }
        });
  }
}
