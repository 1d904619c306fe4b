package dev.inflight.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Structural validation: every problem found at once, each naming its field. Documents are bound
 * with the reader's own mapper and validated directly, so each test sees the validator's list.
 */
class SpecValidatorTest {
  private static final String HEAD = "apiVersion: inflight.dev/v1alpha1\nkind: SchemaMigration\n";

  private static List<String> problems(String yaml) {
    try {
      return SpecValidator.validate(
          new SpecReader().mapper().readValue(yaml, MigrationDocument.class));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the test's YAML does not bind", e);
    }
  }

  /** Problems of a document named {@code ok} on table users with the given spec lines. */
  private static List<String> specProblems(String changes, String more) {
    return problems(
        HEAD
            + "metadata: {name: ok}\nspec:\n  table: users\n  changes:\n"
            + changes.indent(4)
            + more.indent(2));
  }

  private static List<String> changeProblems(String change) {
    return specProblems("- " + change, "");
  }

  @Test
  void validDocumentHasNoProblems() {
    assertThat(changeProblems("addColumn: {name: phone, type: text}")).isEmpty();
  }

  @Test
  void missingSpecIsTheOnlyProblemReportedForIt() {
    assertThat(problems(HEAD + "metadata: {name: ok}\n")).containsExactly("spec: required");
  }

  @Test
  void wrongApiVersionAndKindSayWhatWasExpected() {
    assertThat(
            problems(
                "apiVersion: inflight.dev/v1\nkind: Migration\nmetadata: {name: ok}\n"
                    + "spec: {table: users, changes: [{dropColumn: {name: a}}]}\n"))
        .containsExactly(
            "apiVersion: expected inflight.dev/v1alpha1, got inflight.dev/v1",
            "kind: expected SchemaMigration, got Migration");
  }

  /** Problems of a document with this resource name and a valid spec. */
  private static List<String> nameProblems(String name) {
    return problems(
        HEAD
            + "metadata: {name: '"
            + name
            + "'}\nspec: {table: t, changes: [{dropColumn: {name: a}}]}\n");
  }

  /** Problems of a document whose spec has this {@code table:} line and a valid change. */
  private static List<String> tableProblems(String tableLine) {
    return problems(
        HEAD
            + "metadata: {name: ok}\nspec:\n"
            + tableLine
            + "  changes: [{dropColumn: {name: a}}]\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Users", "users_phone", "-users", "users-", "users..phone", "us ers"})
  void resourceNameMustBeAKubernetesName(String name) {
    assertThat(nameProblems(name))
        .singleElement()
        .asString()
        .startsWith(
            "metadata.name: '" + name + "' must be lower-case letters, digits, '-' and '.'");
  }

  @Test
  void resourceNameMayHaveDotsAndAtMost253Characters() {
    assertThat(nameProblems("users.add-phone.v2")).isEmpty();
    assertThat(nameProblems("a".repeat(253))).isEmpty();
    assertThat(nameProblems("a".repeat(254)))
        .singleElement()
        .asString()
        .contains("at most 253 characters");
  }

  @Test
  void tableMustBeGivenShortAndWithoutControlCharacters() {
    assertThat(tableProblems("")).containsExactly("spec.table: required (schema.table or table)");
    assertThat(tableProblems("  table: " + "t".repeat(200) + "\n")).isEmpty();
    assertThat(tableProblems("  table: " + "t".repeat(201) + "\n"))
        .containsExactly("spec.table: longer than 200 characters");
    assertThat(tableProblems("  table: \"users\\u0007\"\n"))
        .containsExactly("spec.table: contains a control character");
  }

  @Test
  void changesMustBePresentAndAtMostAHundred() {
    assertThat(specProblems("[]", ""))
        .containsExactly("spec.changes: at least one change is required");
    String many = "- dropColumn: {name: a}\n".repeat(101);
    assertThat(specProblems(many, ""))
        .containsExactly("spec.changes: at most 100 changes per migration");
    assertThat(specProblems("- dropColumn: {name: a}\n".repeat(100), "")).isEmpty();
  }

  @Test
  void eachChangeHoldsExactlyOneOperation() {
    assertThat(
            specProblems(
                "- {}\n- addColumn: {name: a, type: int}\n  dropColumn: {name: b}\n-\n", ""))
        .containsExactly(
            "spec.changes[0]: exactly one operation per change (found none)",
            "spec.changes[1]: exactly one operation per change (found addColumn, dropColumn)",
            "spec.changes[2]: empty change");
  }

  @Test
  void everyMissingFieldOfAnOperationIsNamed() {
    assertThat(changeProblems("addColumn: {name: ''}"))
        .containsExactly(
            "spec.changes[0].addColumn.name: required", "spec.changes[0].addColumn.type: required");
    assertThat(changeProblems("renameColumn: {from: a}"))
        .containsExactly("spec.changes[0].renameColumn.to: required");
    assertThat(changeProblems("setDefault: {column: a}"))
        .containsExactly("spec.changes[0].setDefault.default: required");
    assertThat(changeProblems("sql: {statement: '  '}"))
        .containsExactly("spec.changes[0].sql.statement: required");
  }

  @Test
  void notNullColumnNeedsADefaultForTheExistingRows() {
    assertThat(changeProblems("addColumn: {name: a, type: int, notNull: true}"))
        .containsExactly(
            "spec.changes[0].addColumn: notNull needs a default, because existing rows need a value");
    assertThat(changeProblems("addColumn: {name: a, type: int, notNull: true, default: '0'}"))
        .isEmpty();
  }

  @Test
  void indexNeedsAKeyAndNoEmptyNames() {
    assertThat(changeProblems("createIndex: {name: ix}"))
        .containsExactly(
            "spec.changes[0].createIndex: columns or expressions must name at least one key");
    assertThat(changeProblems("createIndex: {name: ix, columns: [a, ' '], expressions: ['']}"))
        .containsExactly(
            "spec.changes[0].createIndex.columns: empty column name",
            "spec.changes[0].createIndex.expressions: empty expression");
    assertThat(changeProblems("createIndex: {name: ix, expressions: ['lower(email)']}")).isEmpty();
  }

  @Test
  void foreignKeyNeedsAsManyReferencedColumnsAsColumns() {
    assertThat(
            changeProblems(
                "addForeignKey: {name: fk, columns: [a, b], references: {table: t, columns: [id]}}"))
        .containsExactly(
            "spec.changes[0].addForeignKey.references.columns: one per column of the key");
    assertThat(changeProblems("addForeignKey: {name: fk, columns: [a]}"))
        .containsExactly("spec.changes[0].addForeignKey.references: required");
  }

  @Test
  void foreignKeyActionMustBeOneOfPostgresActionsInAnyCase() {
    String fk = "addForeignKey: {name: fk, columns: [a], references: {table: t, columns: [id]}, ";
    assertThat(changeProblems(fk + "onDelete: set null, onUpdate: CASCADE}")).isEmpty();
    assertThat(changeProblems(fk + "onDelete: 'CASCADE; DROP TABLE t'}"))
        .containsExactly(
            "spec.changes[0].addForeignKey: 'CASCADE; DROP TABLE t' is not NO ACTION, RESTRICT,"
                + " CASCADE, SET NULL or SET DEFAULT");
  }

  @ParameterizedTest
  @CsvSource({
    "'backfill: {batchSize: 0}', 'spec.backfill.batchSize: 0 is outside 1..1000000'",
    "'backfill: {batchSize: 1000001}', 'spec.backfill.batchSize: 1000001 is outside 1..1000000'",
    "'backfill: {maxRowsPerSecond: -1}', 'spec.backfill.maxRowsPerSecond: -1 is outside 0..100000000'",
    "'cutover: {maxAttempts: 0}', 'spec.cutover.maxAttempts: 0 is outside 1..10000'",
    "'cutover: {lockTimeout: 9ms}', 'spec.cutover.lockTimeout: 9ms is outside 10ms..1m'",
    "'cutover: {lockTimeout: 61s}', 'spec.cutover.lockTimeout: 61s is outside 10ms..1m'",
    "'backfill: {targetBatchTime: 2m}', 'spec.backfill.targetBatchTime: 2m is outside 10ms..1m'",
    "'backfill: {maxReplicaLag: 25h}', 'spec.backfill.maxReplicaLag: 25h is outside 0..24h'",
    "'backfill: {maxSlotRetainedWal: 1.5GB}', 'spec.backfill.maxSlotRetainedWal: ''1.5GB'' is not"
        + " a size; use a number with a unit B, kB, MB, GB or TB, e.g. 512MB, 1GB'",
    "'backfill: {maxReplicaLagBytes: 1G}', 'spec.backfill.maxReplicaLagBytes: ''1G'' is not a"
        + " size; use a number with a unit B, kB, MB, GB or TB, e.g. 512MB, 1GB'",
    "'backfill: {maxActiveSessions: -1}', 'spec.backfill.maxActiveSessions: -1 is outside"
        + " 0..100000'",
    "'rollback: {retainFor: 367d}', 'spec.rollback.retainFor: 367d is outside 0..8784h'",
    "'rollback: {retainFor: 1 day}', 'spec.rollback.retainFor: ''1 day'' is not a duration;"
        + " use a number with a unit ms, s, m, h or d, e.g. 500ms, 2s, 24h'",
  })
  void valueOutsideItsBoundsIsRefusedWithTheBounds(String section, String problem) {
    assertThat(specProblems("- dropColumn: {name: a}", section)).containsExactly(problem);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "cutover: {lockTimeout: 10ms}",
        "cutover: {lockTimeout: 1m}",
        "backfill: {targetBatchTime: 1m, maxReplicaLag: 0}",
        "backfill: {maxReplicaLag: 1d}",
        "backfill: {maxReplicaLagBytes: 0, maxSlotRetainedWal: 0, maxActiveSessions: 0}",
        "backfill: {maxReplicaLagBytes: 512MB, maxSlotRetainedWal: 10GB, maxActiveSessions: 32}",
        "backfill: {maxSlotRetainedWal: ''}",
        "rollback: {retainFor: 0}",
        "rollback: {retainFor: 366d}",
        "backfill: {batchSize: 1, maxRowsPerSecond: 0}",
        "cutover: {maxAttempts: 10000}"
      })
  void boundsThemselvesAreAccepted(String section) {
    assertThat(specProblems("- dropColumn: {name: a}", section)).isEmpty();
  }

  static List<String> malformedHashes() {
    return List.of(
        "sha256:abc",
        "sha256:" + "A".repeat(64),
        "sha256:" + "a".repeat(65),
        "sha1:" + "a".repeat(64),
        "a".repeat(64));
  }

  @ParameterizedTest
  @MethodSource("malformedHashes")
  void approvedPlanHashMustBeTheFormPlanPrints(String hash) {
    assertThat(
            specProblems("- dropColumn: {name: a}", "control: {approvedPlanHash: '" + hash + "'}"))
        .containsExactly(
            "spec.control.approvedPlanHash: must be empty or sha256: followed by 64 hex digits");
  }

  @Test
  void approvedPlanHashAsPlanPrintsItIsAccepted() {
    assertThat(
            specProblems(
                "- dropColumn: {name: a}",
                "control: {approvedPlanHash: 'sha256:" + "0f".repeat(32) + "'}"))
        .isEmpty();
  }

  @Test
  void everyProblemIsListedNotOnlyTheFirst() {
    List<String> all =
        specProblems(
            "- addColumn: {name: a}\n- dropColumn: {}",
            "backfill: {batchSize: 0}\ncutover: {lockTimeout: 2}");

    assertThat(all)
        .containsExactly(
            "spec.changes[0].addColumn.type: required",
            "spec.changes[1].dropColumn.name: required",
            "spec.backfill.batchSize: 0 is outside 1..1000000",
            "spec.cutover.lockTimeout: '2' is not a duration; use a number with a unit ms, s, m, h or"
                + " d, e.g. 500ms, 2s, 24h");
  }
}
