package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.engine.catalog.CatalogReader;
import dev.inflight.engine.catalog.TableSnapshot;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * addForeignKey, dropConstraint, addUnique, renameIndex and sql: each applied, written to after
 * cut-over, rolled back (the original exactly) and applied again, with the catalog snapshot as the
 * oracle for the shape and targeted checks for what each operation means.
 */
@Tag("pg15")
@ExtendWith(PostgresExtension.class)
class MoreChangeOperationsTest {
  private static void schema(TestDatabase db) {
    db.exec(
        "CREATE TABLE teams (id integer PRIMARY KEY, name text NOT NULL)",
        "INSERT INTO teams SELECT g, 't' || g FROM generate_series(1, 10) g",
        "CREATE TABLE players (id bigint PRIMARY KEY, team_id integer, email text NOT NULL, nick text,"
            + " level integer NOT NULL DEFAULT 1 CONSTRAINT players_level_range CHECK (level BETWEEN 1 AND 99),"
            + " CONSTRAINT players_nick_key UNIQUE (nick))",
        "CREATE INDEX players_email_idx ON players (email)",
        "INSERT INTO players SELECT g, 1 + g % 10, 'p' || g || '@x', 'n' || g, 1 + g % 50 FROM generate_series(1, 2000) g");
  }

  private static Map<String, List<String>> snapshot(TestDatabase db) throws Exception {
    try (Connection c = db.dataSource().getConnection()) {
      return TableSnapshot.read(c, new CatalogReader(c).resolve("public.players").oid(), x -> x);
    }
  }

  /**
   * Applies, checks the planned shape, writes, rolls back to exactly the original, applies again.
   */
  private static Engine roundTrip(TestDatabase db, String changes, Runnable afterCutover)
      throws Exception {
    Map<String, List<String>> original = snapshot(db);
    MigrationDocument doc = Migrations.document("players-change", "public.players", changes, null);
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("players-change", doc.spec());
    StepResult r = Migrations.run(engine, m.id(), doc.spec());
    assertThat(r.phase()).as(String.valueOf(r)).isEqualTo(MigrationPhase.Completed);
    Migrations.run(engine, m.id(), doc.spec());
    assertThat(engine.verify(m.id()).differences()).as("planned shape").isEmpty();
    afterCutover.run();
    db.exec("INSERT INTO players (id, team_id, email, nick) VALUES (90001, 3, 'late@x', 'late')");
    assertThat(
            Migrations.run(engine, m.id(), Migrations.withAction(doc.spec(), Action.Rollback))
                .phase())
        .isEqualTo(MigrationPhase.RolledBack);
    assertThat(TableSnapshot.differences(original, snapshot(db))).as("original shape").isEmpty();
    assertThat(db.count("SELECT count(*) FROM players WHERE id = 90001")).isEqualTo(1);
    MigrationRecord again = engine.submit("players-change", doc.spec());
    assertThat(again.id()).isNotEqualTo(m.id());
    assertThat(Migrations.run(engine, again.id(), doc.spec()).phase())
        .isEqualTo(MigrationPhase.Completed);
    assertThat(engine.verify(again.id()).differences()).isEmpty();
    return engine;
  }

  @Test
  void addForeignKeyIsEnforcedAfterCutoverAndValidated(TestDatabase db) throws Exception {
    schema(db);
    roundTrip(
        db,
        "- addForeignKey: {name: players_team_fk, columns: [team_id], references: {table: public.teams, columns: [id]},"
            + " onDelete: SET NULL}\n",
        () -> {
          assertThat(
                  db.strings(
                      "SELECT convalidated::text FROM pg_constraint WHERE conname = 'players_team_fk'"))
              .containsExactly("true");
          assertThatThrownBy(
                  () ->
                      db.exec("INSERT INTO players (id, team_id, email) VALUES (90002, 999, 'x')"))
              .hasMessageContaining("players_team_fk");
          db.exec("DELETE FROM teams WHERE id = 10");
          assertThat(db.count("SELECT count(*) FROM players WHERE team_id IS NULL")).isPositive();
        });
  }

  @Test
  void finalizeRightAfterTheSwapStillValidatesTheNewForeignKey(TestDatabase db) throws Exception {
    schema(db);
    MigrationDocument doc =
        Migrations.document(
            "players-fk",
            "public.players",
            "- addForeignKey: {name: players_team_fk, columns: [team_id],"
                + " references: {table: public.teams, columns: [id]}}\n",
            null);
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("players-fk", doc.spec());
    // Step only as far as the swap's commit: the validation Completed owes has not run yet.
    for (int i = 0; i < 500 && engine.get(m.id()).phase() != MigrationPhase.Completed; i++) {
      engine.step(m.id(), doc.spec());
    }
    assertThat(engine.get(m.id()).phase()).isEqualTo(MigrationPhase.Completed);
    assertThat(
            db.strings(
                "SELECT convalidated::text FROM pg_constraint WHERE conname = 'players_team_fk'"))
        .containsExactly("false");

    StepResult r =
        Migrations.run(engine, m.id(), Migrations.withAction(doc.spec(), Action.Finalize));
    assertThat(r.phase()).isEqualTo(MigrationPhase.Finalized);
    assertThat(
            db.strings(
                "SELECT convalidated::text FROM pg_constraint WHERE conname = 'players_team_fk'"))
        .containsExactly("true");
    assertThat(engine.get(m.id()).catalogCheck()).isEqualTo("identical");
  }

  @Test
  void addForeignKeyWithOrphansStopsTheMigrationBeforeTheSwap(TestDatabase db) throws Exception {
    schema(db);
    db.exec("UPDATE players SET team_id = 77 WHERE id = 5");
    MigrationDocument doc =
        Migrations.document(
            "players-fk",
            "public.players",
            "- addForeignKey: {name: players_team_fk, columns: [team_id], references: {table: teams, columns: [id]}}\n",
            null);
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("players-fk", doc.spec());
    StepResult r = Migrations.run(engine, m.id(), doc.spec());
    assertThat(r)
        .isInstanceOfSatisfying(
            StepResult.Failed.class,
            f ->
                assertThat(f.reason())
                    .contains(
                        "foreign key players_team_fk: rows reference no row of public.teams"));
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname LIKE 'players\\_\\_ifl%'"))
        .isZero();
    assertThat(db.count("SELECT count(*) FROM pg_constraint WHERE conname = 'players_team_fk'"))
        .isZero();
  }

  @Test
  void dropConstraintRemovesChecksAndUniqueConstraints(TestDatabase db) throws Exception {
    schema(db);
    roundTrip(
        db,
        "- dropConstraint: {name: players_level_range}\n- dropConstraint: {name: players_nick_key}\n",
        () -> {
          db.exec("INSERT INTO players (id, email, nick, level) VALUES (90003, 'y', 'n1', 500)");
          assertThat(db.count("SELECT count(*) FROM players WHERE nick = 'n1'")).isEqualTo(2);
          db.exec("DELETE FROM players WHERE id = 90003");
        });
  }

  @Test
  void addUniqueIsAConstraintUnderItsName(TestDatabase db) throws Exception {
    schema(db);
    roundTrip(
        db,
        "- addUnique: {name: players_email_key, columns: [email]}\n",
        () -> {
          assertThat(
                  db.strings(
                      "SELECT contype::text FROM pg_constraint WHERE conname = 'players_email_key'"))
              .containsExactly("u");
          assertThatThrownBy(
                  () -> db.exec("INSERT INTO players (id, email) VALUES (90004, 'p1@x')"))
              .hasMessageContaining("players_email_key");
        });
  }

  @Test
  void renameIndexRenamesTheIndexAndItsConstraint(TestDatabase db) throws Exception {
    schema(db);
    roundTrip(
        db,
        "- renameIndex: {from: players_email_idx, to: players_by_email}\n"
            + "- renameIndex: {from: players_nick_key, to: players_nick_unique}\n",
        () ->
            assertThat(
                    db.strings(
                        "SELECT indexname FROM pg_indexes WHERE tablename = 'players' ORDER BY 1"))
                .containsExactly("players_by_email", "players_nick_unique", "players_pkey"));
  }

  @Test
  void sqlStatementChangesTheShapeAndColumnsFollowByName(TestDatabase db) throws Exception {
    schema(db);
    roundTrip(
        db,
        "- sql: {statement: \"ALTER TABLE {{table}} ADD COLUMN handle text, ALTER COLUMN level TYPE smallint\","
            + " columns: {handle: \"lower(nick)\"}}\n",
        () -> {
          assertThat(db.strings("SELECT handle FROM players WHERE id = 7")).containsExactly("n7");
          assertThat(
                  db.strings(
                      "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE"
                          + " attrelid = 'players'::regclass AND attname = 'level'"))
              .containsExactly("smallint");
        });
  }

  @Test
  void exclusionConstraintIsRebuiltUnderItsNameAndStillExcludes(TestDatabase db) throws Exception {
    db.exec(
        "CREATE TABLE bookings (id bigint PRIMARY KEY, room integer NOT NULL, during tsrange NOT NULL,"
            + " CONSTRAINT bookings_no_overlap EXCLUDE USING gist (during WITH &&))",
        "INSERT INTO bookings SELECT g, g % 5, tsrange(timestamp '2026-01-01' + g * interval '1 hour',"
            + " timestamp '2026-01-01' + (g + 1) * interval '1 hour') FROM generate_series(1, 500) g");
    MigrationDocument doc =
        Migrations.document(
            "bookings-note", "public.bookings", "- addColumn: {name: note, type: text}\n", null);
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("bookings-note", doc.spec());
    assertThat(Migrations.run(engine, m.id(), doc.spec()).phase())
        .isEqualTo(MigrationPhase.Completed);
    Migrations.run(engine, m.id(), doc.spec());
    assertThat(engine.verify(m.id()).differences()).isEmpty();
    assertThat(
            db.strings(
                "SELECT contype::text FROM pg_constraint WHERE conname = 'bookings_no_overlap'"
                    + " AND conrelid = 'bookings'::regclass"))
        .containsExactly("x");
    assertThatThrownBy(
            () ->
                db.exec(
                    "INSERT INTO bookings VALUES (9999, 1, tsrange('2026-01-01 03:30', '2026-01-01 04:30'))"))
        .hasMessageContaining("bookings_no_overlap");
    assertThat(
            Migrations.run(engine, m.id(), Migrations.withAction(doc.spec(), Action.Rollback))
                .phase())
        .isEqualTo(MigrationPhase.RolledBack);
    assertThat(engine.verify(m.id()).differences()).isEmpty();
  }

  @Test
  void sqlMustBeOneAlterTableOfTheTable(TestDatabase db) throws Exception {
    schema(db);
    Engine engine = Migrations.engine(db.dataSource());
    for (String bad :
        List.of(
            "\"DROP TABLE players\"",
            "\"ALTER TABLE {{table}} ADD COLUMN a int; DROP TABLE teams\"",
            "\"ALTER TABLE {{table}} RENAME TO people\"",
            "\"ALTER TABLE teams ADD COLUMN a int\"")) {
      MigrationDocument doc =
          Migrations.document(
              "players-sql", "public.players", "- sql: {statement: " + bad + "}\n", null);
      assertThatThrownBy(() -> engine.submit("players-sql", doc.spec()))
          .isInstanceOf(PlanRejectedException.class);
    }
    assertThat(db.count("SELECT count(*) FROM teams")).isEqualTo(10);
  }
}
