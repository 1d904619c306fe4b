package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.MigrationDocument;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A migration is planned once when its first step follows its submission in the same engine: the
 * plan the submission validated and recorded, and showed, is the plan the Planning step accepts.
 * Any other Planning step (another process, a plan made long before, a table changed since) plans
 * again before any DDL, as before.
 *
 * <p>Planning passes are counted with an event trigger that draws from a sequence at every {@code
 * CREATE TABLE}: each dry run creates the shadow table in a transaction it rolls back, and a
 * sequence keeps its draws through a rollback.
 */
@ExtendWith(PostgresExtension.class)
class PlanOnceTest {
  private static final String CHANGES = "- addColumn: {name: code, type: text, default: \"'c'\"}\n";

  private static MigrationDocument setUp(TestDatabase db) {
    db.exec(
        "CREATE TABLE parts (id integer PRIMARY KEY, name text NOT NULL)",
        "INSERT INTO parts SELECT g, 'p' || g FROM generate_series(1, 100) g",
        "CREATE SEQUENCE public.tables_created",
        "CREATE FUNCTION public.count_create_table() RETURNS event_trigger LANGUAGE plpgsql AS"
            + " $$BEGIN PERFORM nextval('public.tables_created'); END$$",
        "CREATE EVENT TRIGGER count_create_table ON ddl_command_start WHEN TAG IN ('CREATE TABLE')"
            + " EXECUTE FUNCTION public.count_create_table()");
    return Migrations.document("parts-code", "public.parts", CHANGES, null);
  }

  private static long tablesCreated(TestDatabase db) {
    return db.count("SELECT coalesce(pg_sequence_last_value('public.tables_created'), 0)");
  }

  @Test
  void thePlanningStepRightAfterSubmitAcceptsTheRecordedPlanWithoutPlanningAgain(TestDatabase db)
      throws Exception {
    MigrationDocument doc = setUp(db);
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("parts-code", doc.spec());
    long afterSubmit = tablesCreated(db);
    assertThat(afterSubmit).as("the submission's dry run").isPositive();

    StepResult r = engine.step(m.id(), doc.spec());

    assertThat(r.phase()).isEqualTo(MigrationPhase.CreatingShadow);
    assertThat(tablesCreated(db)).as("no second dry run").isEqualTo(afterSubmit);
    assertThat(engine.get(m.id()).planHash()).isEqualTo(m.planHash());
  }

  @Test
  void aTableChangedSinceSubmitIsPlannedAgainBeforeAnyDdl(TestDatabase db) throws Exception {
    MigrationDocument doc = setUp(db);
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("parts-code", doc.spec());
    long afterSubmit = tablesCreated(db);
    db.exec("ALTER TABLE parts ADD COLUMN weight integer");

    StepResult r = engine.step(m.id(), doc.spec());

    String replanned = engine.get(m.id()).planHash();
    assertThat(r)
        .as("the new plan's hash is shown")
        .isInstanceOfSatisfying(
            StepResult.Progress.class,
            p -> {
              assertThat(p.phase()).isEqualTo(MigrationPhase.Planning);
              assertThat(p.message()).contains(replanned);
            });
    assertThat(tablesCreated(db)).isGreaterThan(afterSubmit);
    assertThat(replanned).isNotEqualTo(m.planHash());
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname = 'parts__ifl_new'")).isZero();
  }

  @Test
  void anotherEngineStepsAPlanItDidNotMakeAndPlansAgain(TestDatabase db) throws Exception {
    MigrationDocument doc = setUp(db);
    MigrationRecord m = Migrations.engine(db.dataSource()).submit("parts-code", doc.spec());
    long afterSubmit = tablesCreated(db);

    StepResult r = Migrations.engine(db.dataSource()).step(m.id(), doc.spec());

    assertThat(r.phase()).isEqualTo(MigrationPhase.CreatingShadow);
    assertThat(tablesCreated(db)).isGreaterThan(afterSubmit);
  }

  @Test
  void aPlanSubmittedLongBeforeItsFirstStepIsPlannedAgain(TestDatabase db) throws Exception {
    MigrationDocument doc = setUp(db);
    SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    Engine engine =
        new Engine(db.dataSource(), clock, EngineSettings.defaults(), RandomGenerator.getDefault());
    MigrationRecord m = engine.submit("parts-code", doc.spec());
    long afterSubmit = tablesCreated(db);
    clock.now = clock.now.plus(Duration.ofMinutes(5));

    StepResult r = engine.step(m.id(), doc.spec());

    assertThat(r.phase()).isEqualTo(MigrationPhase.CreatingShadow);
    assertThat(tablesCreated(db)).isGreaterThan(afterSubmit);
  }

  /** A clock a test moves by hand. */
  private static final class SettableClock extends Clock {
    Instant now;

    SettableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
