package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.SpecReader;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@Tag("pg15")
@ExtendWith(PostgresExtension.class)
class SmokeTest {
  @Test
  void demoMigrationCompletesAndRollsBack(TestDatabase db) throws Exception {
    db.exec(
        "CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL, status text NOT NULL DEFAULT 'active',"
            + " last_login timestamptz, flag integer NOT NULL DEFAULT 0)",
        "INSERT INTO users (name, status, last_login, flag) SELECT 'user' || g, CASE WHEN g % 3 = 0 THEN 'inactive'"
            + " ELSE 'active' END, now() - g * interval '1 minute', g % 2 FROM generate_series(1, 5000) g");
    MigrationDocument doc = new SpecReader().read(Path.of("examples/users-add-phone.yaml"));
    Engine engine =
        new Engine(
            db.dataSource(),
            Clock.systemUTC(),
            EngineSettings.defaults(),
            RandomGenerator.getDefault());
    MigrationRecord m = engine.submit(doc.metadata().name(), doc.spec());
    StepResult r =
        new Runner(engine, Clock.systemUTC())
            .run(m.id(), doc.spec(), Duration.ofMinutes(2), x -> System.out.println(x));
    assertThat(r).isInstanceOf(StepResult.Done.class);
    assertThat(r.phase()).isEqualTo(MigrationPhase.Completed);
    assertThat(
            db.strings(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'flag'"))
        .containsExactly("boolean");
    assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(5000);
    assertThat(db.count("SELECT count(*) FROM users WHERE flag")).isEqualTo(2500);

    db.exec("INSERT INTO users (name, flag) VALUES ('after cut-over', true)");
    MigrationSpec rollback = Migrations.withAction(doc.spec(), MigrationSpec.Action.Rollback);
    assertThat(Migrations.run(engine, m.id(), rollback).phase())
        .isEqualTo(MigrationPhase.RolledBack);
    assertThat(
            db.strings(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'users'::regclass"
                    + " AND attname = 'flag'"))
        .containsExactly("integer");
    assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(5001);
    assertThat(db.count("SELECT flag FROM users WHERE name = 'after cut-over'")).isEqualTo(1);
  }

  @Test
  void runsOnTheRequestedPostgresMajor(TestDatabase db) {
    assertThat(db.count("SELECT current_setting('server_version_num')::int / 10000"))
        .isEqualTo(db.major());
  }

  @Test
  void rowEstimateFollowsTheTableEvenWhenItWasNeverAnalyzed(TestDatabase db) throws Exception {
    db.exec(
        "CREATE TABLE fresh (id bigint PRIMARY KEY, body text NOT NULL)"
            + " WITH (autovacuum_enabled = false)",
        "INSERT INTO fresh SELECT g, repeat('x', 100) FROM generate_series(1, 20000) g");
    assertThat(db.count("SELECT reltuples::bigint FROM pg_class WHERE relname = 'fresh'"))
        .as("never vacuumed or analyzed")
        .isLessThanOrEqualTo(0);
    MigrationDocument doc =
        Migrations.document(
            "fresh-note", "public.fresh", "- addColumn: {name: note, type: text}\n", "");
    Engine engine = Migrations.engine(db.dataSource());
    // The planner's estimate from the table's pages, not reltuples' "unknown": progress and ETA
    // are meaningful from the first batch.
    assertThat(engine.plan(doc.spec()).estimatedRows()).isBetween(10_000L, 60_000L);

    db.exec(
        "ANALYZE fresh",
        "INSERT INTO fresh SELECT g, repeat('y', 100) FROM generate_series(20001, 40000) g");
    assertThat(engine.plan(doc.spec()).estimatedRows())
        .as("statistics older than the table's growth are scaled to its current size")
        .isBetween(30_000L, 80_000L);
  }

  @Test
  void aRealDifferenceFailsVerificationWithTheKeyRange(TestDatabase db) throws Exception {
    db.exec(
        "CREATE TABLE parts (id integer PRIMARY KEY, name text NOT NULL)",
        "INSERT INTO parts SELECT g, 'p' || g FROM generate_series(1, 3000) g");
    MigrationDocument doc =
        Migrations.document(
            "parts-note", "public.parts", "- addColumn: {name: note, type: text}\n", "");
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("parts-note", doc.spec());
    for (int i = 0; i < 500 && engine.get(m.id()).phase() != MigrationPhase.Syncing; i++) {
      engine.step(m.id(), doc.spec());
    }
    assertThat(engine.get(m.id()).phase()).isEqualTo(MigrationPhase.Syncing);
    // A change the capture cannot see: the new table no longer matches the original.
    db.exec("UPDATE parts__ifl_new SET name = 'tampered' WHERE id = 1234");

    StepResult r = Migrations.run(engine, m.id(), doc.spec());
    assertThat(r.phase()).isEqualTo(MigrationPhase.Failed);
    assertThat(engine.get(m.id()).failure())
        .contains("verification failed: rows differ for id in (")
        .contains("with different contents");
    assertThat(db.strings("SELECT name FROM parts WHERE id = 1234")).containsExactly("p1234");
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname LIKE 'parts\\_\\_ifl%'"))
        .as("the failed migration removed what it built")
        .isZero();
  }
}
