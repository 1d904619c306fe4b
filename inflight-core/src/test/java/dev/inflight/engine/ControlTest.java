package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.api.ConditionType;
import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.api.MigrationSpec.ControlSpec;
import dev.inflight.api.MigrationSpec.CutoverControl;
import dev.inflight.engine.StepResult.WaitReason;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The intent fields people change while a migration runs, and the gates they open. */
@Tag("pg15")
@ExtendWith(PostgresExtension.class)
class ControlTest {
  private static final String CHANGES = "- addColumn: {name: code, type: text, default: \"'c'\"}\n";

  private static void table(TestDatabase db) {
    table(db, 2000);
  }

  private static void table(TestDatabase db, int rows) {
    db.exec(
        "CREATE TABLE parts (id integer PRIMARY KEY, name text NOT NULL)",
        "INSERT INTO parts SELECT g, 'p' || g FROM generate_series(1, " + rows + ") g");
  }

  private static List<String> catalog(TestDatabase db) {
    return db.strings(
        "SELECT c.relname || ':' || c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = 'public' UNION ALL SELECT tgname::text FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1");
  }

  @Test
  void approvalGateOpensOnlyForTheCurrentPlanHash(TestDatabase db) throws Exception {
    table(db);
    MigrationDocument doc =
        Migrations.document("parts-code", "public.parts", CHANGES, "approval: {required: true}\n");
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("parts-code", doc.spec());
    String hash = m.planHash();
    assertThat(hash).isEqualTo(engine.plan(doc.spec()).hash());

    StepResult waiting = Migrations.run(engine, m.id(), doc.spec());
    assertThat(waiting)
        .isInstanceOfSatisfying(
            StepResult.Waiting.class,
            w -> {
              assertThat(w.reason()).isEqualTo(WaitReason.AwaitingApproval);
              assertThat(w.message()).contains(hash);
            });
    MigrationSpec wrong =
        Migrations.withControl(
            doc.spec(),
            new ControlSpec("sha256:" + "0".repeat(64), CutoverControl.Hold, Action.Run));
    assertThat(Migrations.run(engine, m.id(), wrong).phase())
        .isEqualTo(MigrationPhase.AwaitingApproval);
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname = 'parts__ifl_new'"))
        .as("no DDL before approval")
        .isZero();

    // The table changes underneath: the plan is recomputed and the old approval no longer counts.
    db.exec("ALTER TABLE parts ADD COLUMN weight integer");
    MigrationSpec approvedOld =
        Migrations.withControl(doc.spec(), new ControlSpec(hash, CutoverControl.Hold, Action.Run));
    StepResult again = Migrations.run(engine, m.id(), approvedOld);
    assertThat(again.phase()).isEqualTo(MigrationPhase.AwaitingApproval);
    String newHash = engine.get(m.id()).planHash();
    assertThat(newHash).isNotEqualTo(hash);

    MigrationSpec approved =
        Migrations.withControl(
            doc.spec(), new ControlSpec(newHash, CutoverControl.Hold, Action.Run));
    assertThat(Migrations.run(engine, m.id(), approved).phase())
        .isEqualTo(MigrationPhase.Completed);
    assertThat(
            db.strings(
                "SELECT attname FROM pg_attribute WHERE attrelid = 'parts'::regclass AND attnum > 0 ORDER BY attnum"))
        .containsExactly("id", "name", "weight", "code");
  }

  @Test
  void manualCutoverWaitsForProceedAndKeepsSyncing(TestDatabase db) throws Exception {
    table(db);
    MigrationDocument doc =
        Migrations.document("parts-code", "public.parts", CHANGES, "cutover: {mode: Manual}\n");
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("parts-code", doc.spec());
    StepResult gate = Migrations.run(engine, m.id(), doc.spec());
    assertThat(gate)
        .isInstanceOfSatisfying(
            StepResult.Waiting.class,
            w -> assertThat(w.reason()).isEqualTo(WaitReason.AwaitingCutover));
    db.exec(
        "INSERT INTO parts VALUES (5000, 'late')",
        "UPDATE parts SET name = 'changed' WHERE id = 1");
    assertThat(engine.step(m.id(), doc.spec()).phase()).isEqualTo(MigrationPhase.AwaitingCutover);
    assertThat(db.strings("SELECT name FROM parts__ifl_new WHERE id IN (1, 5000) ORDER BY id"))
        .containsExactly("changed", "late");
    assertThat(engine.status(m.id(), doc.spec()).conditions())
        .anySatisfy(
            c -> {
              assertThat(c.type()).isEqualTo(ConditionType.CutoverReady.name());
              assertThat(c.status()).isEqualTo("True");
            });

    MigrationSpec proceed =
        Migrations.withControl(doc.spec(), new ControlSpec("", CutoverControl.Proceed, Action.Run));
    assertThat(Migrations.run(engine, m.id(), proceed).phase()).isEqualTo(MigrationPhase.Completed);
    assertThat(db.count("SELECT count(*) FROM parts WHERE code = 'c'")).isEqualTo(2001);
  }

  @Test
  void pauseStopsWorkAndRunResumesIt(TestDatabase db) throws Exception {
    table(db);
    MigrationDocument doc = Migrations.document("parts-code", "public.parts", CHANGES, null);
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("parts-code", doc.spec());
    MigrationSpec paused = Migrations.withAction(doc.spec(), Action.Pause);
    StepResult r = engine.step(m.id(), paused);
    assertThat(r)
        .isInstanceOfSatisfying(
            StepResult.Waiting.class, w -> assertThat(w.reason()).isEqualTo(WaitReason.Paused));
    assertThat(engine.get(m.id()).phase()).isEqualTo(MigrationPhase.Planning);
    assertThat(Migrations.run(engine, m.id(), doc.spec()).phase())
        .isEqualTo(MigrationPhase.Completed);
  }

  @Test
  void cancelBeforeCutoverLeavesTheTableAsItWas(TestDatabase db) throws Exception {
    table(db);
    db.exec("CREATE INDEX parts_name ON parts (name)");
    List<String> before = catalog(db);
    List<String> rows = db.strings("SELECT p::text FROM parts p ORDER BY id");
    MigrationDocument doc =
        Migrations.document("parts-code", "public.parts", CHANGES, "cutover: {mode: Manual}\n");
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("parts-code", doc.spec());
    assertThat(Migrations.run(engine, m.id(), doc.spec()).phase())
        .isEqualTo(MigrationPhase.AwaitingCutover);
    assertThat(catalog(db)).isNotEqualTo(before);

    StepResult cancelled =
        Migrations.run(engine, m.id(), Migrations.withAction(doc.spec(), Action.Cancel));
    assertThat(cancelled).isInstanceOf(StepResult.Done.class);
    assertThat(cancelled.phase()).isEqualTo(MigrationPhase.Cancelled);
    assertThat(catalog(db)).isEqualTo(before);
    assertThat(db.strings("SELECT p::text FROM parts p ORDER BY id")).isEqualTo(rows);
    assertThat(db.strings("SELECT outcome FROM inflight.history WHERE migration_id = " + m.id()))
        .containsExactly("Cancelled");
  }

  @Test
  void actionsImpossibleInThePhaseAreRefusedAndChangeNothing(TestDatabase db) throws Exception {
    table(db);
    MigrationDocument doc =
        Migrations.document("parts-code", "public.parts", CHANGES, "cutover: {mode: Manual}\n");
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("parts-code", doc.spec());
    Migrations.run(engine, m.id(), doc.spec());
    StepResult rollback = engine.step(m.id(), Migrations.withAction(doc.spec(), Action.Rollback));
    assertThat(rollback)
        .isInstanceOfSatisfying(
            StepResult.Waiting.class,
            w -> {
              assertThat(w.reason()).isEqualTo(WaitReason.ActionRefused);
              assertThat(w.message()).contains("Rollback is only possible after cut-over");
            });
    assertThat(
            engine.status(m.id(), Migrations.withAction(doc.spec(), Action.Rollback)).conditions())
        .anySatisfy(
            c -> {
              assertThat(c.type()).isEqualTo(ConditionType.Stalled.name());
              assertThat(c.reason()).isEqualTo(ConditionReason.ActionRefused.name());
            });
    MigrationSpec proceed =
        Migrations.withControl(doc.spec(), new ControlSpec("", CutoverControl.Proceed, Action.Run));
    Migrations.run(engine, m.id(), proceed);
    StepResult cancel = engine.step(m.id(), Migrations.withAction(doc.spec(), Action.Cancel));
    assertThat(cancel)
        .isInstanceOfSatisfying(
            StepResult.Waiting.class,
            w -> assertThat(w.message()).contains("Cancel is only possible before cut-over"));
    assertThat(engine.get(m.id()).phase()).isEqualTo(MigrationPhase.Completed);

    StepResult finalized =
        Migrations.run(engine, m.id(), Migrations.withAction(doc.spec(), Action.Finalize));
    assertThat(finalized.phase()).isEqualTo(MigrationPhase.Finalized);
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname LIKE 'parts\\_\\_ifl%'"))
        .isZero();
    assertThat(db.count("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'inflight%'")).isZero();
  }

  @Test
  void secondMigrationOnTheSameTableIsRefusedWhileTheFirstIsActive(TestDatabase db)
      throws Exception {
    table(db);
    Engine engine = Migrations.engine(db.dataSource());
    MigrationDocument first = Migrations.document("parts-code", "public.parts", CHANGES, null);
    engine.submit("parts-code", first.spec());
    MigrationDocument second =
        Migrations.document(
            "parts-other", "public.parts", "- addColumn: {name: other, type: int}\n", null);
    assertThatThrownBy(() -> engine.submit("parts-other", second.spec()))
        .isInstanceOf(PlanRejectedException.class)
        .hasMessageContaining("already has an active migration, parts-code (Planning)");
    // The database enforces it too: a second row for the table violates the unique index.
    assertThatThrownBy(
            () ->
                db.exec(
                    "INSERT INTO inflight.migrations (name, table_schema, table_name, phase, plan_hash, plan, spec,"
                        + " created_at, phase_started_at, updated_at) VALUES ('x', 'public', 'parts', 'Backfilling', 'h', '{}', '{}',"
                        + " now(), now(), now())"))
        .hasMessageContaining("migrations_one_active_per_table");
  }

  @Test
  void retentionOfZeroFinalizesRightAfterCutover(TestDatabase db) throws Exception {
    table(db);
    MigrationDocument doc =
        Migrations.document(
            "parts-code", "public.parts", CHANGES, "rollback: {retainFor: \"0\"}\n");
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("parts-code", doc.spec());
    assertThat(engine.get(m.id()).planJson()).contains("rollback.retainFor is 0");
    StepResult r = Migrations.run(engine, m.id(), doc.spec());
    assertThat(r.phase()).isEqualTo(MigrationPhase.Finalized);
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname LIKE 'parts\\_\\_ifl%'"))
        .isZero();
  }

  @Test
  void maxRowsPerSecondPacesVerificationAsWellAsTheCopy(TestDatabase db) throws Exception {
    table(db, 6000);
    MigrationDocument doc =
        Migrations.document(
            "parts-code",
            "public.parts",
            CHANGES,
            "backfill: {batchSize: 1000, maxRowsPerSecond: 4000}\n");
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("parts-code", doc.spec());
    List<StepResult> steps = new ArrayList<>();
    long started = System.nanoTime();
    StepResult done = Migrations.run(engine, m.id(), doc.spec(), steps::add);
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;

    assertThat(done.phase()).isEqualTo(MigrationPhase.Completed);
    assertThat(steps)
        .filteredOn(r -> r instanceof StepResult.Waiting w && w.reason() == WaitReason.Throttled)
        .extracting(StepResult::phase)
        .as("throttled while copying and while verifying")
        .contains(MigrationPhase.Backfilling, MigrationPhase.Syncing);
    assertThat(steps)
        .filteredOn(r -> r instanceof StepResult.Waiting w && w.reason() == WaitReason.Throttled)
        .as("each throttled wait names the limit it keeps")
        .allSatisfy(
            r ->
                assertThat(((StepResult.Waiting) r).throttle())
                    .isEqualTo(StepResult.Throttle.MaxRowsPerSecond));
    assertThat(engine.get(m.id()).rowsVerified()).isGreaterThanOrEqualTo(6000);
    // 6,000 rows copied and 6,000 verified at 4,000 rows/s: at least the last chunk of each is
    // paced, so the whole takes well over one second's worth of each.
    assertThat(elapsedMs).isGreaterThanOrEqualTo(2_000);
  }
}
