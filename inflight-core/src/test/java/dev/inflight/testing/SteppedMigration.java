package dev.inflight.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.MigrationDocument;
import dev.inflight.engine.Engine;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.ledger.MigrationRecord;
import java.time.Duration;

/**
 * A migration a test drives step by step, with a step budget so short that each step is about one
 * batch, so the test can act between batches.
 */
public record SteppedMigration(Engine engine, long id, MigrationDocument doc) {
  /** Whether a step brought the migration where the test wants it. */
  public interface Reached {
    boolean test(StepResult result) throws Exception;
  }

  /**
   * Submits the changes ({@code changesYaml}) to {@code public.<table>} with these backfill
   * settings.
   */
  public static SteppedMigration start(
      TestDatabase db, String table, String changesYaml, String backfill) throws Exception {
    MigrationDocument doc =
        Migrations.document(
            table + "-memo", "public." + table, changesYaml, "backfill: {" + backfill + "}");
    Engine engine = Migrations.engine(db.dataSource(), Duration.ofMillis(1));
    MigrationRecord record = engine.submit(doc.metadata().name(), doc.spec());
    return new SteppedMigration(engine, record.id(), doc);
  }

  public MigrationRecord record() throws Exception {
    return engine.get(id);
  }

  /** Steps until {@code done} (or a failure), at most a thousand times. */
  public void stepUntil(Reached done) throws Exception {
    for (int i = 0; i < 1000; i++) {
      StepResult r = engine.step(id, doc.spec());
      if (r instanceof StepResult.Failed || done.test(r)) {
        return;
      }
    }
    throw new AssertionError("the migration did not get there in 1000 steps");
  }

  public StepResult run() throws Exception {
    return Migrations.run(engine, id, doc.spec());
  }

  public void runToCompletion() throws Exception {
    StepResult result = run();
    assertThat(result.phase()).as(record().failure()).isEqualTo(MigrationPhase.Completed);
  }
}
