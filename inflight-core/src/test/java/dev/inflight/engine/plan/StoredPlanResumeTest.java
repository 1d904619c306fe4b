package dev.inflight.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.MigrationStatus;
import dev.inflight.engine.Engine;
import dev.inflight.engine.Json;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.ledger.Ledger;
import dev.inflight.engine.ledger.LedgerSchema;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PgVersion;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A migration planned by the previous engine (its plan stored in format 1) is resumed by this one
 * and runs the stored statements to the end; and this planner, given the same table and migration,
 * still makes the same statements. The fixtures were planned on PostgreSQL 17, whose catalog
 * printing the stored definitions and fingerprints follow.
 */
@PgVersion(17)
@ExtendWith(PostgresExtension.class)
class StoredPlanResumeTest {

  /**
   * Statements this version plans differently on purpose: the capture fires ENABLE ALWAYS and logs
   * a TRUNCATE as a marker, and replay stops at a marker and rewrites keys that compare equal; the
   * warnings name the columns whose type changes and what each driver needs; the shadow is created
   * without its key, whose index is built after the copy (format 3).
   */
  private static final Set<String> CHANGED_ON_PURPOSE =
      Set.of(
          "createCapture",
          "replayBatch",
          "reverseCapture",
          "reverseReplayBatch",
          "warnings",
          "createShadow");

  /**
   * A listing without the capture's and the replay's statements (see CHANGED_ON_PURPOSE), and
   * without the headers of the sections the copy in ranges renamed and the sample it added: the
   * key's statements are the same, listed under Syncing.
   */
  private static List<String> withoutCapture(List<String> display) {
    return display.stream()
        .filter(
            line ->
                !line.startsWith("-- CreatingShadow: the new table")
                    && !line.startsWith("-- Backfilling")
                    && !line.startsWith("-- Syncing: the primary key")
                    && !line.startsWith("-- Syncing: replay")
                    && !line.contains("TABLESAMPLE")
                    && !line.startsWith("-- replay")
                    && !line.startsWith("-- check")
                    && !line.contains("inflight_capture")
                    && !line.contains("inflight_reverse")
                    && !line.contains("__log")
                    && !line.contains("__rlog")
                    && !line.contains("__capture")
                    && !line.contains("__rcapture"))
        .toList();
  }

  static List<StoredPlanFixture> formatOne() {
    return StoredPlanFixture.formatOne();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("formatOne")
  void plannerMakesThePreviousVersionsPlanAgainButForTheHash(
      StoredPlanFixture fixture, TestDatabase db) throws Exception {
    db.exec(fixture.setupSql());
    ObjectNode stored = fixture.planTree();

    Plan plan = Migrations.engine(db.dataSource()).plan(fixture.document().spec());

    Map<String, JsonNode> read = StoredPlanFixture.readByFieldName(stored, plan);
    List<String> differing =
        StoredPlanFixture.fields(stored).entrySet().stream()
            .filter(field -> !field.getKey().equals("hash"))
            .filter(field -> !CHANGED_ON_PURPOSE.contains(field.getKey()))
            .filter(field -> !field.getValue().equals(read.get(field.getKey())))
            .map(Map.Entry::getKey)
            .toList();
    assertThat(differing).as("fields planned differently").isEmpty();
    // The swaps' locks are listed in the order they are now taken, so the order is not compared.
    assertThat(withoutCapture(plan.display()))
        .containsExactlyInAnyOrderElementsOf(withoutCapture(fixture.display()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("formatOne")
  void migrationPlannedByThePreviousVersionRunsItsStoredPlanToTheEnd(
      StoredPlanFixture fixture, TestDatabase db) throws Exception {
    db.exec(fixture.setupSql());
    MigrationDocument doc = fixture.document();
    Engine engine = Migrations.engine(db.dataSource());
    long id = storeAsThePreviousVersionDid(db, fixture, doc);
    MigrationStatus before = engine.status(id, doc.spec());

    StepResult end = Migrations.run(engine, id, doc.spec());

    boolean retained = fixture.planTree().get("rollbackRetained").asBoolean();
    assertThat(end).isInstanceOf(StepResult.Done.class);
    assertThat(end.phase())
        .isEqualTo(retained ? MigrationPhase.Completed : MigrationPhase.Finalized);
    assertThat(engine.verify(id).differences()).as("live table against the stored plan").isEmpty();
    assertThat(before.plan().hash()).isEqualTo(fixture.planTree().get("hash").asText());
    assertThat(StoredPlanFixture.comparable(before.plan().statements()))
        .containsExactlyElementsOf(StoredPlanFixture.comparable(fixture.display()));
  }

  @Test
  void migrationPlannedByThePreviousVersionRollsBackWithWritesMadeAfterTheCutover(TestDatabase db)
      throws Exception {
    StoredPlanFixture fixture = new StoredPlanFixture("users", 1);
    db.exec(fixture.setupSql());
    MigrationDocument doc = fixture.document();
    Engine engine = Migrations.engine(db.dataSource());
    long id = storeAsThePreviousVersionDid(db, fixture, doc);
    assertThat(Migrations.run(engine, id, doc.spec()).phase()).isEqualTo(MigrationPhase.Completed);
    db.exec(
        "INSERT INTO users (name, flag, handle, phone) VALUES ('after cut-over', true, 'h', '1')");

    MigrationSpec rollback = doc.spec().withAction(MigrationSpec.Action.Rollback);
    StepResult end = Migrations.run(engine, id, rollback);

    assertThat(end.phase()).isEqualTo(MigrationPhase.RolledBack);
    assertThat(engine.verify(id).differences()).as("live table against the stored plan").isEmpty();
    assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(201);
    assertThat(
            db.strings("SELECT nickname || ' ' || flag FROM users WHERE name = 'after cut-over'"))
        .containsExactly("h 1");
  }

  /**
   * The ledger row the previous version left after Planning: its plan JSON exactly as stored, the
   * phase moved on to CreatingShadow so that this engine runs the stored plan instead of planning
   * again.
   */
  private static long storeAsThePreviousVersionDid(
      TestDatabase db, StoredPlanFixture fixture, MigrationDocument doc) throws Exception {
    ObjectNode stored = fixture.planTree();
    Ledger ledger = new Ledger(Json.mapper());
    try (Connection conn = db.dataSource().getConnection()) {
      LedgerSchema.ensure(conn);
      MigrationRecord m =
          ledger.insert(
              conn,
              doc.metadata().name(),
              stored.get("schema").asText(),
              stored.get("table").asText(),
              stored.get("hash").asText(),
              fixture.planJson(),
              Json.mapper().writeValueAsString(doc.spec()),
              Instant.now());
      ledger
          .update(m.id())
          .phase(m, MigrationPhase.CreatingShadow, Instant.now())
          .execute(conn, Instant.now());
      return m.id();
    }
  }
}
