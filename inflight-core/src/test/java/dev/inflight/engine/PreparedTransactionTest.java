package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An orphaned {@code PREPARE TRANSACTION} keeps its locks without a session: it is named as the
 * blocker, and the migration gives up after its attempt limit instead of retrying for ever: at
 * shadow creation it fails with nothing changed; a cancel or a finalize gives up with the migration
 * as it was, so the command can be run again once the transaction is resolved.
 */
@ExtendWith(PostgresExtension.class)
class PreparedTransactionTest {
  @Test
  void anOrphanedPreparedTransactionIsReportedByItsGidAndAttemptsAreLimited(TestDatabase db)
      throws Exception {
    db.exec(
        "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL)",
        "INSERT INTO items SELECT g, 'o' || g FROM generate_series(1, 100) g");
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("UPDATE items SET owner = 'held' WHERE id = 1");
      st.execute("PREPARE TRANSACTION 'orphan-1'");
      c.setAutoCommit(true);
    }
    try {
      MigrationDocument doc =
          Migrations.document(
              "items-memo",
              "public.items",
              "- addColumn: {name: memo, type: text}",
              "cutover: {lockTimeout: 100ms, maxAttempts: 3}");
      Engine engine = Migrations.engine(db.dataSource());
      MigrationRecord m = engine.submit("items-memo", doc.spec());
      StepResult result = engine.step(m.id(), doc.spec());
      for (int i = 0; i < 10 && result.phase() != MigrationPhase.CreatingShadow; i++) {
        result = engine.step(m.id(), doc.spec());
      }
      StepResult blocked = engine.step(m.id(), doc.spec());
      assertThat(blocked).isInstanceOf(StepResult.Waiting.class);
      assertThat(((StepResult.Waiting) blocked).message())
          .contains("prepared transaction 'orphan-1'");

      for (int i = 0; i < 10 && !(result instanceof StepResult.Failed); i++) {
        result = engine.step(m.id(), doc.spec());
      }
      assertThat(result).isInstanceOf(StepResult.Failed.class);
      assertThat(((StepResult.Failed) result).reason()).contains("orphan-1").contains("3 attempts");
      assertThat(db.count("SELECT count(*) FROM items WHERE owner = 'held'")).isZero();
    } finally {
      db.exec("ROLLBACK PREPARED 'orphan-1'");
    }
  }

  @Test
  void cancelGivesUpAfterItsAttemptLimitNamingThePreparedTransactionAndCanBeRunAgain(
      TestDatabase db) throws Exception {
    Migrated items =
        migrate(
            db,
            "cutover: {mode: Manual, lockTimeout: 100ms, maxAttempts: 3}",
            MigrationPhase.AwaitingCutover);
    MigrationDocument doc = items.doc();
    Engine engine = items.engine();
    MigrationRecord m = items.record();
    prepare(db, "orphan-cancel");
    MigrationSpec cancel = Migrations.withAction(doc.spec(), Action.Cancel);
    try {
      StepResult gaveUp = stepUntilRefused(engine, m.id(), cancel);
      assertThat(((StepResult.Waiting) gaveUp).message())
          .contains("prepared transaction 'orphan-cancel'")
          .contains("3 attempts");
      assertThat(gaveUp.phase()).isEqualTo(MigrationPhase.AwaitingCutover);
      assertThat(engine.get(m.id()).phase()).isEqualTo(MigrationPhase.AwaitingCutover);
      assertThat(engine.get(m.id()).failure()).isNull();
      assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname = 'items__ifl_new'"))
          .as("the shadow is kept until the cancel succeeds")
          .isEqualTo(1);
    } finally {
      db.exec("ROLLBACK PREPARED 'orphan-cancel'");
    }
    assertThat(Migrations.run(engine, m.id(), cancel).phase()).isEqualTo(MigrationPhase.Cancelled);
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname = 'items__ifl_new'")).isZero();
    assertThat(db.count("SELECT count(*) FROM items")).isEqualTo(100);
  }

  @Test
  void finalizeGivesUpAfterItsAttemptLimitNamingThePreparedTransactionAndCanBeRunAgain(
      TestDatabase db) throws Exception {
    Migrated items =
        migrate(
            db,
            "cutover: {lockTimeout: 100ms, maxAttempts: 3}\nrollback: {retainFor: 1h}",
            MigrationPhase.Completed);
    MigrationDocument doc = items.doc();
    Engine engine = items.engine();
    MigrationRecord m = items.record();
    prepare(db, "orphan-finalize");
    MigrationSpec finalize = Migrations.withAction(doc.spec(), Action.Finalize);
    try {
      StepResult gaveUp = stepUntilRefused(engine, m.id(), finalize);
      assertThat(((StepResult.Waiting) gaveUp).message())
          .contains("prepared transaction 'orphan-finalize'")
          .contains("3 attempts");
      assertThat(engine.get(m.id()).phase()).isEqualTo(MigrationPhase.Completed);
      assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname = 'items__ifl_old'"))
          .as("the archived table is kept until the finalize succeeds")
          .isEqualTo(1);
    } finally {
      db.exec("ROLLBACK PREPARED 'orphan-finalize'");
    }
    assertThat(Migrations.run(engine, m.id(), finalize).phase())
        .isEqualTo(MigrationPhase.Finalized);
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname = 'items__ifl_old'")).isZero();
    assertThat(db.count("SELECT count(*) FROM items")).isEqualTo(100);
  }

  @Test
  void rollbackGivesUpAfterItsAttemptLimitBackToCompletedAndCanBeAskedForAgain(TestDatabase db)
      throws Exception {
    Migrated items =
        migrate(
            db,
            "cutover: {lockTimeout: 100ms, maxAttempts: 3}\nrollback: {retainFor: 1h}",
            MigrationPhase.Completed);
    MigrationDocument doc = items.doc();
    Engine engine = items.engine();
    MigrationRecord m = items.record();
    prepare(db, "orphan-rollback");
    MigrationSpec rollback = Migrations.withAction(doc.spec(), Action.Rollback);
    try {
      StepResult gaveUp = stepUntilRefused(engine, m.id(), rollback);
      assertThat(((StepResult.Waiting) gaveUp).message())
          .contains("prepared transaction 'orphan-rollback'")
          .contains("3 attempts");
      assertThat(gaveUp.phase()).isEqualTo(MigrationPhase.Completed);
      assertThat(engine.get(m.id()).phase())
          .as("rollback is still available")
          .isEqualTo(MigrationPhase.Completed);
    } finally {
      db.exec("ROLLBACK PREPARED 'orphan-rollback'");
    }
    assertThat(Migrations.run(engine, m.id(), rollback).phase())
        .isEqualTo(MigrationPhase.RolledBack);
    assertThat(db.count("SELECT count(*) FROM items")).isEqualTo(100);
  }

  /**
   * A migration of {@code items} (100 rows) with these settings, run until it reaches {@code at}.
   */
  private record Migrated(MigrationDocument doc, Engine engine, MigrationRecord record) {}

  private static Migrated migrate(TestDatabase db, String settings, MigrationPhase at)
      throws Exception {
    db.exec(
        "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL)",
        "INSERT INTO items SELECT g, 'o' || g FROM generate_series(1, 100) g");
    MigrationDocument doc =
        Migrations.document(
            "items-memo", "public.items", "- addColumn: {name: memo, type: text}", settings);
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("items-memo", doc.spec());
    assertThat(Migrations.run(engine, m.id(), doc.spec()).phase()).isEqualTo(at);
    return new Migrated(doc, engine, m);
  }

  /** Leaves a prepared transaction that holds a lock on {@code items}, as a crashed 2PC would. */
  private static void prepare(TestDatabase db, String gid) throws Exception {
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("UPDATE items SET owner = 'held' WHERE id = 1");
      st.execute("PREPARE TRANSACTION '" + gid + "'");
      c.setAutoCommit(true);
    }
  }

  /**
   * Steps (without sleeping through the waits) until the engine gives up and waits for a person;
   * each attempt before that waits for the lock contention (or makes progress towards it).
   */
  private static StepResult stepUntilRefused(Engine engine, long id, MigrationSpec spec)
      throws Exception {
    StepResult r = engine.step(id, spec);
    for (int i = 0; i < 20 && !isRefused(r); i++) {
      if (r instanceof StepResult.Waiting w) {
        assertThat(w.reason()).isEqualTo(StepResult.WaitReason.LockContention);
      } else {
        assertThat(r).isInstanceOf(StepResult.Progress.class);
      }
      r = engine.step(id, spec);
    }
    assertThat(r).matches(PreparedTransactionTest::isRefused, "gave up, waiting for a person");
    return r;
  }

  private static boolean isRefused(StepResult r) {
    return r instanceof StepResult.Waiting w && w.reason() == StepResult.WaitReason.ActionRefused;
  }
}
