package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.SteppedMigration;
import dev.inflight.testing.TestDatabase;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Unique values that move from one row to another, as applications move them: positions rotated or
 * swapped through a temporary value, a "default" flag handed to another row under a partial unique
 * index. Every committed state is unique, but replaying the rows one key at a time (or a batch of
 * them) can visit a state that is not; replay must still converge, in both directions.
 */
@ExtendWith(PostgresExtension.class)
class UniqueMoveTest {
  private static final int ROWS = 2000;

  @Test
  void positionsRotatedAcrossMoreKeysThanOneReplayBatchConverge(TestDatabase db) throws Exception {
    db.exec(
        "CREATE TABLE slots (id bigint PRIMARY KEY, pos int NOT NULL UNIQUE, note text NOT NULL)",
        "INSERT INTO slots SELECT g, g, 'n' || g FROM generate_series(1, " + ROWS + ") g");
    SteppedMigration m = start(db, "slots");
    // The shadow has its unique indexes: replay has to respect them.
    m.stepUntil(r -> m.record().analyzed());

    // Every row takes its neighbour's position: a cycle over all rows, through negative values.
    rotate(db);
    m.runToCompletion();
    assertThat(db.count("SELECT count(*) FROM slots WHERE pos = id % " + ROWS + " + 1"))
        .isEqualTo(ROWS);
    assertThat(m.engine().verify(m.id()).differences()).isEmpty();
  }

  @Test
  void aDefaultFlagHandedToAnotherRowUnderAPartialUniqueIndexConverges(TestDatabase db)
      throws Exception {
    db.exec(
        "CREATE TABLE cards (id bigint PRIMARY KEY, owner int NOT NULL, is_default boolean NOT NULL)",
        "CREATE UNIQUE INDEX cards_one_default ON cards (owner) WHERE is_default",
        "INSERT INTO cards SELECT g, g % 500, g <= 500 FROM generate_series(1, " + ROWS + ") g");
    SteppedMigration m = start(db, "cards");
    // The shadow has its unique indexes: replay has to respect them.
    m.stepUntil(r -> m.record().analyzed());

    // Each owner's default moves to its other card (half the owners up, half down, so no order
    // of replay within a batch is right for all), and that card had changed just before: the log
    // names it first, and replayed one entry at a time it already reads as the default.
    for (int owner = 0; owner < 500; owner++) {
      int low = owner == 0 ? 500 : owner;
      int from = owner % 2 == 0 ? low : low + 500;
      int to = owner % 2 == 0 ? low + 500 : low;
      if (from > 500) {
        db.exec("UPDATE cards SET is_default = false WHERE id = " + low);
        db.exec("UPDATE cards SET is_default = true WHERE id = " + from);
      }
      db.exec(
          "UPDATE cards SET owner = owner WHERE id = " + to,
          "BEGIN",
          "UPDATE cards SET is_default = false WHERE id = " + from,
          "UPDATE cards SET is_default = true WHERE id = " + to,
          "COMMIT");
    }
    m.runToCompletion();
    assertThat(
            db.count(
                "SELECT count(*) FROM cards WHERE is_default AND (id <= 500) = (owner % 2 = 1)"))
        .isEqualTo(500);
    assertThat(m.engine().verify(m.id()).differences()).isEmpty();
  }

  @Test
  void positionsRotatedAfterCutOverAreCarriedBackByTheRollback(TestDatabase db) throws Exception {
    db.exec(
        "CREATE TABLE slots (id bigint PRIMARY KEY, pos int NOT NULL UNIQUE, note text NOT NULL)",
        "INSERT INTO slots SELECT g, g, 'n' || g FROM generate_series(1, " + ROWS + ") g");
    SteppedMigration m = start(db, "slots");
    m.runToCompletion();

    rotate(db);
    StepResult r =
        Migrations.run(m.engine(), m.id(), Migrations.withAction(m.doc().spec(), Action.Rollback));
    assertThat(r.phase()).as(m.record().failure()).isEqualTo(MigrationPhase.RolledBack);
    assertThat(db.count("SELECT count(*) FROM slots WHERE pos = id % " + ROWS + " + 1"))
        .isEqualTo(ROWS);
    assertThat(db.strings("SELECT attname FROM pg_attribute WHERE attrelid = 'slots'::regclass"))
        .doesNotContain("memo");
  }

  @Test
  void positionsRotatingThroughTheCutOverAndTheRollbackConverge(TestDatabase db) throws Exception {
    int rows = 400;
    db.exec(
        "CREATE TABLE slots (id bigint PRIMARY KEY, pos int NOT NULL UNIQUE, note text NOT NULL)",
        "INSERT INTO slots SELECT g, g, 'n' || g FROM generate_series(1, " + rows + ") g");
    SteppedMigration m = start(db, "slots");
    AtomicLong rotations = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    // Each rotation logs 800 keys: more than one replay batch, so a drain under the swap's lock
    // meets a rotation split across batches.
    Thread rotator =
        new Thread(
            () -> {
              while (!stop.get()) {
                rotate(db, rows);
                rotations.incrementAndGet();
              }
            });
    rotator.start();
    try {
      m.runToCompletion();
      StepResult r =
          Migrations.run(
              m.engine(), m.id(), Migrations.withAction(m.doc().spec(), Action.Rollback));
      assertThat(r.phase()).as(m.record().failure()).isEqualTo(MigrationPhase.RolledBack);
    } finally {
      stop.set(true);
      rotator.join();
    }
    assertThat(rotations.get()).isPositive();
    long shift = rotations.get() % rows;
    assertThat(
            db.count(
                "SELECT count(*) FROM slots WHERE pos = (id - 1 + ?) % ? + 1", shift, (long) rows))
        .isEqualTo(rows);
  }

  private static void rotate(TestDatabase db) {
    rotate(db, ROWS);
  }

  private static void rotate(TestDatabase db, int rows) {
    db.exec(
        "BEGIN",
        "UPDATE slots SET pos = -pos",
        "UPDATE slots SET pos = CASE WHEN -pos = " + rows + " THEN 1 ELSE 1 - pos END",
        "COMMIT");
  }

  private static SteppedMigration start(TestDatabase db, String table) throws Exception {
    return SteppedMigration.start(
        db, table, "- addColumn: {name: memo, type: text, default: \"'m'\"}", "batchSize: 500");
  }
}
