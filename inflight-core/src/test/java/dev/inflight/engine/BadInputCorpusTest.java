package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.inflight.api.Change;
import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.SpecException;
import dev.inflight.api.SpecReader;
import dev.inflight.testing.BadInputCorpus;
import dev.inflight.testing.DatabaseSnapshot;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariant 6: bad input gets a clear error and changes nothing. Every file of the bad-input corpus
 * is read and submitted against a fresh database holding the reference schema; it must be refused
 * as bad input (a {@link SpecException} from the reader or a {@link PlanRejectedException} from the
 * engine, never a driver error or a crash), with a message that contains the file's {@code #
 * expect:} text, and the catalog, the ledger and every row must be exactly as they were.
 */
@ExtendWith(PostgresExtension.class)
class BadInputCorpusTest {

  static List<BadInputCorpus.Case> corpus() {
    return BadInputCorpus.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void refusedWithTheExpectedReasonAndNothingChanged(BadInputCorpus.Case c, TestDatabase db) {
    BadInputCorpus.createReferenceSchema(db);
    List<String> before = DatabaseSnapshot.take(db);

    Throwable refusal = catchThrowable(() -> submit(c.file(), db));

    System.out.println(c.name() + " -> " + (refusal == null ? "accepted" : refusal));
    assertThat(refusal)
        .as("%s (%s) must be refused as bad input", c.name(), c.why())
        .isInstanceOfAny(SpecException.class, PlanRejectedException.class);
    assertThat(refusal.getMessage()).as("the reason given for %s", c.name()).contains(c.expected());
    assertThat(refusal.getMessage()).as("a one-line reason").doesNotContain("\n");
    assertThat(DatabaseSnapshot.take(db))
        .as("the database after refusing %s", c.name())
        .containsExactlyElementsOf(before);
  }

  @Test
  void corpusCoversAtLeastFortyCasesEachWithAnExpectation() {
    List<BadInputCorpus.Case> cases = corpus();
    assertThat(cases).hasSizeGreaterThanOrEqualTo(40);
    assertThat(cases).allSatisfy(c -> assertThat(c.expected()).isNotBlank());
  }

  /** Without this the corpus could pass against a reference schema no spec can be planned on. */
  @Test
  void validSpecOnTheReferenceSchemaIsAcceptedAndTheSnapshotSeesTheLedger(TestDatabase db)
      throws Exception {
    BadInputCorpus.createReferenceSchema(db);
    List<String> before = DatabaseSnapshot.take(db);
    MigrationDocument doc =
        new SpecReader()
            .parse(
                """
                apiVersion: inflight.dev/v1alpha1
                kind: SchemaMigration
                metadata: {name: users-add-phone}
                spec:
                  table: public.users
                  changes:
                    - addColumn: {name: phone, type: varchar(20), default: "''", comment: contact phone}
                    - createIndex: {name: ix_users_phone, columns: [phone]}
                    - alterColumnType: {column: flag, type: boolean, using: "flag <> 0", reverseUsing: "CASE WHEN flag THEN 1 ELSE 0 END"}
                    - dropColumn: {name: note, reverseUsing: "'n'"}
                """,
                "valid.yaml");

    engine(db).submit(doc.metadata().name(), doc.spec());

    assertThat(DatabaseSnapshot.take(db))
        .isNotEqualTo(before)
        .contains("inflight schema exists: true");
  }

  static Stream<Arguments> changesTheReaderWouldHaveRefused() {
    Change.AddColumn add = new Change.AddColumn("phone", "text", null, null, null);
    Change.DropColumn drop = new Change.DropColumn("email", null);
    return Stream.of(
        arguments(
            named("an empty change", List.of(change(null, null))),
            "exactly one operation per change (found none)"),
        arguments(
            named("a null change", Arrays.asList((Change) null)), "spec.changes[0]: empty change"),
        arguments(
            named("two operations in one change", List.of(change(add, drop))),
            "exactly one operation per change (found addColumn, dropColumn)"),
        arguments(named("no change", List.of()), "at least one change is required"));
  }

  /**
   * Specs need not come through the file reader (the operator builds them from the resource), so
   * the engine validates them again; a malformed change must be refused, not crash the planner.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("changesTheReaderWouldHaveRefused")
  void engineRefusesSpecsThatDidNotComeThroughTheReader(
      List<Change> changes, String expected, TestDatabase db) {
    BadInputCorpus.createReferenceSchema(db);
    List<String> before = DatabaseSnapshot.take(db);

    Throwable refusal =
        catchThrowable(
            () ->
                engine(db)
                    .submit(
                        "bypass",
                        new MigrationSpec(
                            null, "public.users", changes, null, null, null, null, null, null)));

    assertThat(refusal).isInstanceOf(PlanRejectedException.class).hasMessageContaining(expected);
    assertThat(DatabaseSnapshot.take(db)).containsExactlyElementsOf(before);
  }

  /** The ledger and the change logs are Inflight's own state; migrating them would pull the rug. */
  @Test
  void inflightsOwnTablesAreRefused(TestDatabase db) throws Exception {
    BadInputCorpus.createReferenceSchema(db);
    Engine engine = engine(db);
    engine.submit(
        "users-add-phone",
        new MigrationSpec(
            null,
            "public.users",
            List.of(change(new Change.AddColumn("phone", "text", null, null, null), null)),
            null,
            null,
            null,
            null,
            null,
            null));
    List<String> own =
        db.strings(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = 'inflight' AND c.relkind = 'r' ORDER BY 1");
    assertThat(own).contains("migrations");
    List<String> before = DatabaseSnapshot.take(db);

    for (String table : own) {
      MigrationSpec spec =
          new MigrationSpec(
              null,
              "inflight." + table,
              List.of(change(new Change.AddColumn("c", "integer", null, null, null), null)),
              null,
              null,
              null,
              null,
              null,
              null);
      Throwable refusal =
          catchThrowable(() -> engine.submit("own-" + table.replace('_', '-'), spec));
      assertThat(refusal)
          .as("migrating inflight.%s", table)
          .isInstanceOf(PlanRejectedException.class)
          .hasMessageContaining("inflight." + table + " is Inflight's own state");
    }
    assertThat(DatabaseSnapshot.take(db)).containsExactlyElementsOf(before);
  }

  /** A temporary table is visible in the catalog under its session's pg_temp_N schema. */
  @Test
  void anotherSessionsTemporaryTableIsRefused(TestDatabase db) throws Exception {
    BadInputCorpus.createReferenceSchema(db);
    try (Connection session = db.dataSource().getConnection();
        Statement st = session.createStatement()) {
      st.execute("CREATE TEMPORARY TABLE scratch (id bigint PRIMARY KEY, v text)");
      String schema;
      try (ResultSet rs = st.executeQuery("SELECT pg_my_temp_schema()::regnamespace::text")) {
        rs.next();
        schema = rs.getString(1);
      }
      List<String> before = DatabaseSnapshot.take(db);
      MigrationSpec spec =
          new MigrationSpec(
              null,
              schema + ".scratch",
              List.of(change(new Change.AddColumn("c", "integer", null, null, null), null)),
              null,
              null,
              null,
              null,
              null,
              null);

      Throwable refusal = catchThrowable(() -> engine(db).submit("temporary", spec));

      assertThat(refusal)
          .isInstanceOf(PlanRejectedException.class)
          .hasMessageContaining(schema + ".scratch is a temporary table");
      assertThat(DatabaseSnapshot.take(db)).containsExactlyElementsOf(before);
    }
  }

  static Stream<Arguments> editsOfAStartedMigration() {
    Change.AddColumn phone = new Change.AddColumn("phone", "varchar(20)", null, null, null);
    return Stream.of(
        arguments(named("another table", "public.parents"), List.of(change(phone, null))),
        arguments(
            named("other changes", "public.users"),
            List.of(change(new Change.AddColumn("phone", "text", null, null, null), null))));
  }

  /**
   * Table and changes are immutable once a migration has started (DESIGN, "The resource"). A file
   * edited and applied again under the same name must be refused, not silently resume the plan of
   * the original file as if it were the edited one.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("editsOfAStartedMigration")
  void editedTableOrChangesUnderTheNameOfAnActiveMigrationAreRefused(
      String table, List<Change> changes, TestDatabase db) throws Exception {
    BadInputCorpus.createReferenceSchema(db);
    Engine engine = engine(db);
    Change.AddColumn phone = new Change.AddColumn("phone", "varchar(20)", null, null, null);
    engine.submit(
        "users-add-phone",
        new MigrationSpec(
            null,
            "public.users",
            List.of(change(phone, null)),
            null,
            null,
            null,
            null,
            null,
            null));
    List<String> before = DatabaseSnapshot.take(db);

    Throwable refusal =
        catchThrowable(
            () ->
                engine.submit(
                    "users-add-phone",
                    new MigrationSpec(null, table, changes, null, null, null, null, null, null)));

    assertThat(refusal)
        .as("submitting users-add-phone again with %s", table)
        .isInstanceOf(PlanRejectedException.class)
        .hasMessageContaining("users-add-phone");
    assertThat(DatabaseSnapshot.take(db)).containsExactlyElementsOf(before);
  }

  private static Change change(Change.AddColumn add, Change.DropColumn drop) {
    return new Change(
        add, drop, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null);
  }

  private static void submit(Path file, TestDatabase db) throws Exception {
    MigrationDocument doc = new SpecReader().read(file);
    engine(db).submit(doc.metadata().name(), doc.spec());
  }

  private static Engine engine(TestDatabase db) {
    return new Engine(
        db.dataSource(),
        Clock.systemUTC(),
        EngineSettings.defaults(),
        RandomGenerator.getDefault());
  }
}
