package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

/**
 * What PostgreSQL does with triggers, locks and DDL on partitioned tables, as the design for
 * migrating them (docs/design/partitioned-tables.md, section 1) relies on, on each major the suite
 * runs. A release that behaves otherwise fails here before it can break a migration.
 */
@ExtendWith(PostgresExtension.class)
@Tag("pg15")
class PartitionedTableFactsTest {
  /**
   * {@code events}, range-partitioned by {@code at} into two years, and a statement trigger on
   * every relation that writes what it saw into {@code fired}: the relation, the operation and the
   * rows of its transition tables.
   */
  private static TestDatabase tree(TestDatabase db) {
    db.exec(
        "CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, PRIMARY KEY (id, at))"
            + " PARTITION BY RANGE (at)",
        "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
        "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
        "CREATE TABLE fired (relation text, op text, image text, id bigint, at date)",
        "CREATE FUNCTION note_rows() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
            + " IF TG_OP IN ('INSERT', 'UPDATE') THEN"
            + "   INSERT INTO fired SELECT TG_TABLE_NAME, TG_OP, 'new', n.id, n.at FROM new_rows n; END IF;"
            + " IF TG_OP IN ('DELETE', 'UPDATE') THEN"
            + "   INSERT INTO fired SELECT TG_TABLE_NAME, TG_OP, 'old', o.id, o.at FROM old_rows o; END IF;"
            + " IF TG_OP = 'TRUNCATE' THEN INSERT INTO fired VALUES (TG_TABLE_NAME, TG_OP, NULL, NULL, NULL); END IF;"
            + " RETURN NULL; END$$");
    for (String r : new String[] {"events", "events_2024", "events_2025"}) {
      db.exec(
          "CREATE TRIGGER note_insert AFTER INSERT ON "
              + r
              + " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_rows()",
          "CREATE TRIGGER note_update AFTER UPDATE ON "
              + r
              + " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"
              + " EXECUTE FUNCTION note_rows()",
          "CREATE TRIGGER note_delete AFTER DELETE ON "
              + r
              + " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_rows()",
          "CREATE TRIGGER note_truncate AFTER TRUNCATE ON "
              + r
              + " FOR EACH STATEMENT EXECUTE FUNCTION note_rows()");
    }
    return db;
  }

  private static java.util.List<String> fired(TestDatabase db) {
    return db.strings(
        "SELECT concat_ws(' ', relation, op, image, id, at) FROM fired ORDER BY relation, op, image, id");
  }

  @Test
  void aStatementTriggerFiresOnlyForTheRelationTheStatementNames(TestDatabase db) {
    tree(db);
    db.exec("INSERT INTO events VALUES (1, '2024-03-01'), (2, '2025-03-01')");
    assertThat(fired(db))
        .as("through the root: the root's trigger, with the rows of both partitions")
        .containsExactly("events INSERT new 1 2024-03-01", "events INSERT new 2 2025-03-01");
    db.exec("DELETE FROM fired", "INSERT INTO events_2024 VALUES (3, '2024-04-01')");
    assertThat(fired(db))
        .as("straight into a partition: only the partition's trigger")
        .containsExactly("events_2024 INSERT new 3 2024-04-01");
  }

  @Test
  void anUpdateThatMovesARowFiresOnlyTheRootsUpdateTriggerWithBothImages(TestDatabase db) {
    tree(db);
    db.exec("INSERT INTO events VALUES (1, '2024-03-01')", "DELETE FROM fired");
    db.exec("UPDATE events SET at = '2025-06-01' WHERE id = 1");
    assertThat(fired(db))
        .containsExactly("events UPDATE new 1 2025-06-01", "events UPDATE old 1 2024-03-01");
    assertThatThrownBy(() -> db.exec("UPDATE events_2025 SET at = '2024-06-01' WHERE id = 1"))
        .as("a partition's own update cannot move a row out of it")
        .hasMessageContaining("violates partition constraint");
  }

  @Test
  void copyIntoTheRootFiresTheRootsInsertTriggerWithTheRoutedRows(TestDatabase db)
      throws Exception {
    tree(db);
    try (Connection c = db.dataSource().getConnection()) {
      c.unwrap(PGConnection.class)
          .getCopyAPI()
          .copyIn(
              "COPY events FROM STDIN WITH (FORMAT csv)",
              new StringReader("1,2024-02-01\n2,2025-02-01\n"));
    }
    assertThat(fired(db))
        .containsExactly("events INSERT new 1 2024-02-01", "events INSERT new 2 2025-02-01");
  }

  @Test
  void aTruncateOfTheRootFiresTheTruncateTriggerOfEveryRelation(TestDatabase db) {
    tree(db);
    db.exec("INSERT INTO events VALUES (1, '2024-03-01')", "DELETE FROM fired");
    db.exec("TRUNCATE events");
    assertThat(fired(db))
        .containsExactly("events TRUNCATE", "events_2024 TRUNCATE", "events_2025 TRUNCATE");
    db.exec("DELETE FROM fired", "TRUNCATE events_2025");
    assertThat(fired(db)).containsExactly("events_2025 TRUNCATE");
  }

  @Test
  void enableAlwaysOnTheRootLeavesThePartitionsStatementTriggersAlone(TestDatabase db)
      throws Exception {
    tree(db);
    db.exec("ALTER TABLE events ENABLE ALWAYS TRIGGER note_insert");
    assertThat(
            db.strings(
                "SELECT tgrelid::regclass::text || ' ' || tgenabled::text FROM pg_trigger"
                    + " WHERE tgname = 'note_insert' ORDER BY 1"))
        .containsExactly("events A", "events_2024 O", "events_2025 O");
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("SET session_replication_role = replica");
      s.execute("INSERT INTO events_2024 VALUES (7, '2024-07-01')");
      s.execute("INSERT INTO events VALUES (8, '2024-08-01')");
      s.execute("RESET session_replication_role");
    }
    assertThat(fired(db))
        .as("under the replica role only the trigger enabled ALWAYS fires")
        .containsExactly("events INSERT new 8 2024-08-01");
  }

  @Test
  void lockTableOnTheRootLocksEveryPartition(TestDatabase db) throws Exception {
    tree(db);
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE");
      assertThat(
              db.strings(
                  "SELECT relation::regclass::text FROM pg_locks WHERE mode = 'AccessExclusiveLock'"
                      + " AND locktype = 'relation' AND relation::regclass::text LIKE 'events%'"
                      + " ORDER BY 1"))
          .containsExactly("events", "events_2024", "events_2025");
      c.rollback();
    }
  }

  @Test
  void creatingAPartitionConflictsWithEveryLockOnTheParent(TestDatabase db) throws Exception {
    tree(db);
    try (Connection reader = db.dataSource().getConnection();
        Statement s = reader.createStatement()) {
      reader.setAutoCommit(false);
      s.executeQuery("SELECT count(*) FROM events").close();
      assertThatThrownBy(
              () ->
                  db.exec(
                      "SET lock_timeout = '200ms'",
                      "CREATE TABLE events_2026 PARTITION OF events"
                          + " FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')"))
          .as("a reader's ACCESS SHARE holds it off: it wants ACCESS EXCLUSIVE")
          .hasMessageContaining("lock timeout");
      reader.rollback();
    }
  }

  @Test
  void setSchemaOfAPartitionedTableLeavesItsPartitionsWhereTheyAre(TestDatabase db) {
    tree(db);
    db.exec("CREATE SCHEMA aside", "ALTER TABLE events SET SCHEMA aside");
    assertThat(
            db.strings(
                "SELECT n.nspname || '.' || c.relname FROM pg_class c"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE c.relname LIKE 'events%' AND c.relkind IN ('r', 'p') ORDER BY c.relname"))
        .containsExactly("aside.events", "public.events_2024", "public.events_2025");
  }

  @Test
  void aForeignKeyFromAPartitionedTableIsAddedNotValidOnlyFromPostgreSql18(TestDatabase db)
      throws SQLException {
    tree(db);
    db.exec(
        "CREATE TABLE sites (id bigint PRIMARY KEY)", "ALTER TABLE events ADD COLUMN site bigint");
    String add =
        "ALTER TABLE events ADD CONSTRAINT events_site_fk FOREIGN KEY (site) REFERENCES sites"
            + " NOT VALID";
    if (db.major() < 18) {
      assertThatThrownBy(() -> db.exec(add))
          .hasMessageContaining("cannot add NOT VALID foreign key on partitioned table");
      // Each partition is a plain table, where NOT VALID works.
      db.exec(
          "ALTER TABLE events_2024 ADD CONSTRAINT events_2024_site_fk FOREIGN KEY (site)"
              + " REFERENCES sites NOT VALID");
      assertThat(
              db.strings(
                  "SELECT convalidated::text FROM pg_constraint WHERE conname = 'events_2024_site_fk'"))
          .containsExactly("false");
    } else {
      db.exec(add);
      assertThat(
              db.strings(
                  "SELECT convalidated::text FROM pg_constraint WHERE conname = 'events_site_fk'"))
          .containsExactly("false");
    }
  }

  @Test
  void aForeignKeyMayReferenceAPartitionedTableAndIsRecordedForEachPartition(TestDatabase db) {
    tree(db);
    db.exec(
        "CREATE TABLE notes (id bigint PRIMARY KEY, event_id bigint, event_at date,"
            + " FOREIGN KEY (event_id, event_at) REFERENCES events NOT VALID)");
    assertThat(
            db.count(
                "SELECT count(*) FROM pg_constraint WHERE conrelid = 'notes'::regclass"
                    + " AND contype = 'f'"))
        .as("one constraint on the referencing table for the root and one per partition")
        .isEqualTo(3);
  }
}
