package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.api.MigrationSpec.ControlSpec;
import dev.inflight.api.MigrationSpec.CutoverControl;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A bulk update that commits while the swap waits for its lock: the swap must not replay it while
 * holding the lock (every reader and writer would wait for the whole replay), but give the attempt
 * up, catch up outside the lock and try again.
 */
@ExtendWith(PostgresExtension.class)
class DrainBoundTest {
  private static final int ROWS = 100_000;

  @Test
  void aBulkUpdateCommittedWhileTheSwapQueuesIsReplayedOutsideTheLock(TestDatabase db)
      throws Exception {
    db.exec(
        "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL)",
        "INSERT INTO items SELECT g, 'o' FROM generate_series(1, " + ROWS + ") g");
    MigrationDocument doc =
        Migrations.document(
            "items-memo",
            "public.items",
            "- addColumn: {name: memo, type: text}",
            "cutover: {mode: Manual, lockTimeout: 20s}");
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("items-memo", doc.spec());
    StepResult gate = Migrations.run(engine, m.id(), doc.spec());
    assertThat(gate.phase()).isEqualTo(MigrationPhase.AwaitingCutover);

    // Holds its lock from the start, sleeps, then changes every row and commits: the swap queues
    // behind it, and gets its lock with the whole update waiting in the log.
    CompletableFuture<Void> bulk =
        CompletableFuture.runAsync(
            () ->
                db.exec("UPDATE items SET owner = 'bulk' WHERE (SELECT pg_sleep(2)) IS NOT NULL"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                db.count(
                        "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
                            + " AND query LIKE 'UPDATE items SET owner = ''bulk''%'")
                    == 1);

    MigrationSpec proceed =
        Migrations.withControl(doc.spec(), new ControlSpec("", CutoverControl.Proceed, Action.Run));
    List<String> messages = new ArrayList<>();
    StepResult result = null;
    for (int i = 0;
        i < 200 && (result == null || result.phase() != MigrationPhase.Completed);
        i++) {
      result = engine.step(m.id(), proceed);
      messages.add(String.valueOf(result));
    }
    bulk.join();

    assertThat(result.phase()).as(String.join("\n", messages)).isEqualTo(MigrationPhase.Completed);
    assertThat(messages).anyMatch(text -> text.contains("arrived while the swap waited"));
    assertThat(db.count("SELECT count(*) FROM items WHERE owner = 'bulk'")).isEqualTo(ROWS);
    assertThat(engine.verify(m.id()).differences()).isEmpty();
  }
}
