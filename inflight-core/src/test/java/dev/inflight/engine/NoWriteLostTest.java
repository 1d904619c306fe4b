package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.MigrationDocument;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.SteppedMigration;
import dev.inflight.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Writes the application makes in ways a plain trigger or a plain upsert does not see, each made
 * while the migration runs, and each present byte for byte in the table after cut-over.
 */
@ExtendWith(PostgresExtension.class)
class NoWriteLostTest {
  private static final String ADD_MEMO = "- addColumn: {name: memo, type: text, default: \"'m'\"}";

  @Test
  void writesUnderReplicationRoleReplicaAreCaptured(TestDatabase db) throws Exception {
    db.exec(
        "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL)",
        "INSERT INTO items SELECT g, 'o' || g FROM generate_series(1, 2000) g");
    SteppedMigration m = start(db, "items", "batchSize: 500");
    m.stepUntil(r -> r.phase() == MigrationPhase.Backfilling);

    // As an ETL loader or pg_restore --disable-triggers writes: ordinary triggers do not fire.
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute("SET session_replication_role = replica");
      st.execute("UPDATE items SET owner = 'replica' WHERE id % 10 = 0");
      st.execute("INSERT INTO items SELECT g, 'late' FROM generate_series(2001, 2100) g");
      st.execute("DELETE FROM items WHERE id BETWEEN 1 AND 50");
    }

    m.runToCompletion();
    assertThat(db.count("SELECT count(*) FROM items")).isEqualTo(2050);
    assertThat(db.count("SELECT count(*) FROM items WHERE owner = 'replica'")).isEqualTo(195);
    assertThat(db.count("SELECT count(*) FROM items WHERE owner = 'late' AND memo = 'm'"))
        .isEqualTo(100);
    assertThat(m.engine().verify(m.id()).differences()).isEmpty();
  }

  @Test
  void aCaptureDisabledForAWhileStopsTheSwapAndLeavesTheTableIntact(TestDatabase db)
      throws Exception {
    db.exec(
        "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL)",
        "INSERT INTO items SELECT g, 'o' || g FROM generate_series(1, 2000) g");
    SteppedMigration m = start(db, "items", "batchSize: 500");
    m.stepUntil(r -> r.phase() == MigrationPhase.Backfilling);
    List<String> triggers =
        db.strings(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'items'::regclass AND NOT tgisinternal");
    assertThat(triggers).isNotEmpty();
    // An administrator disables the capture, writes, and enables it again.
    for (String trigger : triggers) {
      db.exec("ALTER TABLE items DISABLE TRIGGER " + trigger);
    }
    db.exec("UPDATE items SET owner = 'unseen' WHERE id <= 10");
    for (String trigger : triggers) {
      db.exec("ALTER TABLE items ENABLE ALWAYS TRIGGER " + trigger);
    }

    StepResult result = m.run();
    assertThat(result.phase()).isEqualTo(MigrationPhase.Failed);
    assertThat(m.engine().get(m.id()).failure()).contains("change capture");
    assertThat(db.count("SELECT count(*) FROM items WHERE owner = 'unseen'")).isEqualTo(10);
    assertThat(db.strings("SELECT attname FROM pg_attribute WHERE attrelid = 'items'::regclass"))
        .doesNotContain("memo");
  }

  @Test
  void aCaptureDroppedAndRecreatedStopsTheSwapAndLeavesTheTableIntact(TestDatabase db)
      throws Exception {
    db.exec(
        "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL)",
        "INSERT INTO items SELECT g, 'o' || g FROM generate_series(1, 2000) g");
    SteppedMigration m = start(db, "items", "batchSize: 500");
    m.stepUntil(r -> r.phase() == MigrationPhase.Backfilling);
    List<String> definitions =
        db.strings(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger"
                + " WHERE tgrelid = 'items'::regclass AND NOT tgisinternal");
    List<String> triggers =
        db.strings(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'items'::regclass AND NOT tgisinternal");
    assertThat(triggers).isNotEmpty();
    // An administrator drops the capture, writes, and puts the very same triggers back.
    for (String trigger : triggers) {
      db.exec("DROP TRIGGER " + trigger + " ON items");
    }
    db.exec("UPDATE items SET owner = 'unseen' WHERE id <= 10");
    for (int i = 0; i < triggers.size(); i++) {
      db.exec(definitions.get(i), "ALTER TABLE items ENABLE ALWAYS TRIGGER " + triggers.get(i));
    }

    StepResult result = m.run();
    assertThat(result.phase()).isEqualTo(MigrationPhase.Failed);
    assertThat(m.engine().get(m.id()).failure()).contains("change capture");
    assertThat(db.count("SELECT count(*) FROM items WHERE owner = 'unseen'")).isEqualTo(10);
    assertThat(db.strings("SELECT attname FROM pg_attribute WHERE attrelid = 'items'::regclass"))
        .doesNotContain("memo");
  }

  @Test
  void keyChangesThatCompareEqualKeepTheirNewBytes(TestDatabase db) throws Exception {
    db.exec(
        "CREATE TABLE prices (code numeric PRIMARY KEY, label text NOT NULL)",
        "INSERT INTO prices SELECT g, 'p' || g FROM generate_series(1, 1000) g");
    SteppedMigration m = start(db, "prices", "batchSize: 200");
    m.stepUntil(r -> m.record().backfillDone());
    // 7 and 7.00 are equal numerics with different scales: an upsert that keeps the old key
    // keeps "7".
    db.exec(
        "UPDATE prices SET code = 7.00 WHERE code = 7",
        "UPDATE prices SET code = 8.0 WHERE code = 8");

    m.runToCompletion();
    assertThat(db.strings("SELECT code::text FROM prices WHERE code IN (7, 8) ORDER BY code"))
        .containsExactly("7.00", "8.0");
  }

  @Test
  void keysInsertedAfterTheLastShortBatchBelowTheEndKeyAreCopied(TestDatabase db) throws Exception {
    db.exec(
        "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL)",
        "INSERT INTO items SELECT g, 'o' || g FROM generate_series(1, 1000) g");
    SteppedMigration m = start(db, "items", "batchSize: 300, targetBatchTime: 1m");
    m.stepUntil(r -> r.phase() == MigrationPhase.Backfilling);
    // The copy's end key is 1000; the last rows go, so the last batch ends short at 990.
    db.exec("DELETE FROM items WHERE id > 990");
    m.stepUntil(r -> m.record().backfillDone());
    db.exec("INSERT INTO items VALUES (995, 'late')");

    m.runToCompletion();
    assertThat(db.strings("SELECT owner || '/' || memo FROM items WHERE id = 995"))
        .containsExactly("late/m");
    assertThat(m.engine().verify(m.id()).differences()).isEmpty();
  }

  @Test
  void anApplicationTruncateNeverWaitsForTheShadowAndItsRefillIsCopied(TestDatabase db)
      throws Exception {
    db.exec(
        "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL)",
        "INSERT INTO items SELECT g, 'o' || g FROM generate_series(1, 2000) g");
    SteppedMigration m = start(db, "items", "batchSize: 500");
    m.stepUntil(r -> r.phase() == MigrationPhase.Backfilling);
    m.stepUntil(r -> m.record().rowsCopied() >= 500);
    try (Connection holder = db.dataSource().getConnection();
        Statement hold = holder.createStatement();
        Connection app = db.dataSource().getConnection();
        Statement st = app.createStatement()) {
      // Something holds the shadow, as an index build, ANALYZE or verification does.
      holder.setAutoCommit(false);
      hold.execute("LOCK TABLE items__ifl_new IN ACCESS SHARE MODE");
      st.execute("SET lock_timeout = '500ms'");
      st.execute("TRUNCATE items");
      st.execute("INSERT INTO items SELECT g, 'refill' FROM generate_series(1, 300) g");
      holder.rollback();
    }
    db.exec("INSERT INTO items SELECT g, 'later' FROM generate_series(5000, 5009) g");

    m.runToCompletion();
    assertThat(db.strings("SELECT owner || count(*) FROM items GROUP BY owner ORDER BY owner"))
        .containsExactly("later10", "refill300");
    assertThat(m.engine().verify(m.id()).differences()).isEmpty();
  }

  @Test
  void keyColumnsNamedLikeTheLogsOwnColumnsWork(TestDatabase db) throws Exception {
    db.exec(
        "CREATE TABLE steps (seq bigint, truncated text, note text NOT NULL,"
            + " PRIMARY KEY (seq, truncated))",
        "INSERT INTO steps SELECT g, 't', 'n' || g FROM generate_series(1, 1000) g");
    SteppedMigration m = start(db, "steps", "batchSize: 300");
    m.stepUntil(r -> r.phase() == MigrationPhase.Backfilling);
    db.exec(
        "UPDATE steps SET note = 'changed' WHERE seq <= 10", "DELETE FROM steps WHERE seq > 990");

    m.runToCompletion();
    assertThat(db.count("SELECT count(*) FROM steps WHERE memo = 'm'")).isEqualTo(990);
    assertThat(db.count("SELECT count(*) FROM steps WHERE note = 'changed'")).isEqualTo(10);
  }

  @Test
  void
      anObjectNoPlanCanCarryCreatedDuringTheMigrationStopsTheSwapInsteadOfStayingOnTheArchivedTable(
          TestDatabase db) throws Exception {
    db.exec(
        "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL)",
        "INSERT INTO items SELECT g, 'o' || g FROM generate_series(1, 1000) g");
    SteppedMigration m = start(db, "items", "batchSize: 300");
    m.stepUntil(r -> r.phase() == MigrationPhase.Backfilling);
    // A function whose SQL body reads the table is bound to the table itself, not to its name.
    db.exec(
        "CREATE FUNCTION item_count() RETURNS bigint LANGUAGE sql"
            + " BEGIN ATOMIC SELECT count(*) FROM items; END");

    StepResult result = m.run();
    assertThat(result.phase()).isEqualTo(MigrationPhase.Failed);
    assertThat(m.record().failure())
        .contains("function item_count()")
        .contains("nothing was swapped");
    assertThat(db.count("SELECT item_count()")).isEqualTo(1000);
    assertThat(db.strings("SELECT attname FROM pg_attribute WHERE attrelid = 'items'::regclass"))
        .doesNotContain("memo");
  }

  @Test
  void notValidCheckConstraintsStayNotValidAndTheirLegacyRowsAreCopied(TestDatabase db)
      throws Exception {
    db.exec(
        "CREATE TABLE items (id bigint PRIMARY KEY, qty int NOT NULL)",
        "INSERT INTO items SELECT g, g - 100 FROM generate_series(1, 1000) g",
        // Legacy rows break the rule; new rows must keep it.
        "ALTER TABLE items ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID");
    SteppedMigration m = start(db, "items", "batchSize: 300");

    m.runToCompletion();
    assertThat(db.count("SELECT count(*) FROM items WHERE qty <= 0")).isEqualTo(100);
    assertThat(
            db.strings(
                "SELECT conname || ' ' || convalidated FROM pg_constraint"
                    + " WHERE conrelid = 'items'::regclass AND contype = 'c'"))
        .containsExactly("qty_positive false");
    assertThat(m.engine().verify(m.id()).differences()).isEmpty();
  }

  @Test
  void aGenuinelyDuplicateUniqueConstraintFailsAtOnceWithTheOffendingKey(TestDatabase db)
      throws Exception {
    db.exec(
        "CREATE TABLE items (id bigint PRIMARY KEY, code text NOT NULL)",
        "INSERT INTO items SELECT g, 'c' || (g % 900) FROM generate_series(1, 1000) g");
    MigrationDocument doc =
        Migrations.document(
            "items-code",
            "public.items",
            "- addUnique: {name: items_code_key, columns: [code]}",
            "backfill: {batchSize: 500}");
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord record = engine.submit("items-code", doc.spec());

    StepResult result = Migrations.run(engine, record.id(), doc.spec());
    assertThat(result.phase()).isEqualTo(MigrationPhase.Failed);
    assertThat(engine.get(record.id()).failure())
        .contains("items_code_key cannot be built")
        .contains("Key (code)=(c");
    assertThat(engine.get(record.id()).consecutiveErrors()).isLessThanOrEqualTo(1);
  }

  private static SteppedMigration start(TestDatabase db, String table, String backfill)
      throws Exception {
    return SteppedMigration.start(db, table, ADD_MEMO, backfill);
  }
}
