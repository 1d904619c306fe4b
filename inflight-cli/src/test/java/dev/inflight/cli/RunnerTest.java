package dev.inflight.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.inflight.api.MigrationDocument;
import dev.inflight.engine.Engine;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.Runner;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What {@code apply} does between steps: a lost connection is transient (the engine classifies
 * 57P01 as retryable), so the command rides it out instead of exiting as if the migration had
 * failed.
 */
@ExtendWith(PostgresExtension.class)
class RunnerTest {
  @Test
  void terminatedSessionsBetweenStepsAreRiddenOut(TestDatabase db) throws Exception {
    db.exec(
        "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL)",
        "INSERT INTO items SELECT g, 'o' || g FROM generate_series(1, 20000) g");
    MigrationDocument doc =
        Migrations.document(
            "items-memo",
            "public.items",
            "- addColumn: {name: memo, type: text, default: \"'x'\"}",
            "backfill: {batchSize: 1000, maxRowsPerSecond: 20000}");
    // The pool apply uses; the test's own queries go through another one.
    try (HikariDataSource pool = ConnectionOptions.pool(db.url(), null, null, 4)) {
      Engine engine = Cli.engine(pool);
      MigrationRecord m = engine.submit(doc.metadata().name(), doc.spec());
      AtomicBoolean terminated = new AtomicBoolean();

      StepResult r =
          new Runner(engine, Clock.systemUTC())
              .run(
                  m.id(),
                  doc.spec(),
                  Duration.ofMinutes(2),
                  step -> {
                    if (step.phase() == MigrationPhase.Backfilling && !terminated.getAndSet(true)) {
                      terminateIdleSessions(db);
                    }
                  });

      assertThat(terminated).isTrue();
      assertThat(r.phase()).isEqualTo(MigrationPhase.Completed);
    }
  }

  /**
   * What an administrator, a failover or a connection proxy does to sessions; done within the
   * pool's 500 ms trust window, so the next step is handed a pooled connection without a liveness
   * check, as happens mid-run.
   */
  private static void terminateIdleSessions(TestDatabase db) {
    String sessions =
        " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            + " AND application_name = 'inflight' AND state = 'idle'";
    db.exec("SELECT pg_terminate_backend(pid)" + sessions);
    await()
        .atMost(Duration.ofMillis(400))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> db.count("SELECT count(*)" + sessions) == 0);
  }
}
