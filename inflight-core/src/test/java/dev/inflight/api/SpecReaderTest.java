package dev.inflight.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The strict reader: every mistake is an error naming the exact field, in one line. */
class SpecReaderTest {
  private static final String HEAD =
      "apiVersion: inflight.dev/v1alpha1\nkind: SchemaMigration\nmetadata: {name: users-add-phone}\n";
  private static final String CHANGES =
      "  changes:\n    - addColumn: {name: phone, type: varchar(20)}\n";

  private final SpecReader reader = new SpecReader();

  /** A document with {@code specBody} under {@code spec:} after the table and one change. */
  private static String document(String specBody) {
    return HEAD + "spec:\n  table: public.users\n" + CHANGES + specBody;
  }

  private AbstractThrowableAssert<?, ? extends Throwable> refusing(String yaml) {
    return assertThatThrownBy(() -> reader.parse(yaml, "users.yaml"))
        .isInstanceOf(SpecException.class)
        .hasMessageStartingWith("users.yaml: ")
        .satisfies(e -> assertThat(e.getMessage()).as("one line").doesNotContain("\n"));
  }

  @Test
  void minimalDocumentTakesTheDocumentedDefaults() {
    MigrationDocument doc = reader.parse(document(""), "users.yaml");

    MigrationSpec spec = doc.spec();
    assertThat(doc.metadata().name()).isEqualTo("users-add-phone");
    assertThat(spec.changes()).hasSize(1);
    assertThat(spec.changes().get(0).addColumn().type()).isEqualTo("varchar(20)");
    assertThat(spec.backfill().batchSize()).isEqualTo(10_000);
    assertThat(spec.backfill().targetBatchTime()).isEqualTo("500ms");
    assertThat(spec.cutover().mode()).isEqualTo(MigrationSpec.CutoverMode.Automatic);
    assertThat(spec.cutover().lockTimeout()).isEqualTo("2s");
    assertThat(spec.cutover().maxAttempts()).isEqualTo(30);
    assertThat(spec.rollback().retainFor()).isEqualTo("24h");
    assertThat(spec.approval().required()).isFalse();
    assertThat(spec.control().action()).isEqualTo(MigrationSpec.Action.Run);
    assertThat(spec.control().approvedPlanHash()).isEmpty();
    assertThat(spec.deletionPolicy()).isEqualTo(MigrationSpec.DeletionPolicy.Retain);
  }

  @Test
  void partlyGivenSectionKeepsTheDefaultsOfTheFieldsLeftOut() {
    MigrationSpec spec = reader.parse(document("  cutover: {lockTimeout: 5s}\n"), "t").spec();

    assertThat(spec.cutover().lockTimeout()).isEqualTo("5s");
    assertThat(spec.cutover().maxAttempts()).isEqualTo(30);
    assertThat(spec.cutover().mode()).isEqualTo(MigrationSpec.CutoverMode.Automatic);
  }

  @Test
  void statusSectionCopiedFromKubectlIsIgnored() {
    MigrationDocument doc =
        reader.parse(document("status:\n  phase: Completed\n  anything: [1, 2]\n"), "t");

    assertThat(doc.spec().table()).isEqualTo("public.users");
  }

  @Test
  void misspelledFieldIsRefusedWithItsPathAndTheFieldsThatExist() {
    refusing(document("  cutover: {lockTimout: 2s}\n"))
        .hasMessage(
            "users.yaml: unknown field 'lockTimout' at spec.cutover.lockTimout"
                + " (expected one of: lockTimeout, maxAttempts, mode)");
  }

  @Test
  void unknownFieldInsideAChangeNamesTheChangesIndex() {
    String yaml =
        HEAD
            + "spec:\n  table: users\n  changes:\n    - dropColumn: {name: a}\n"
            + "    - addColumn: {name: b, type: int, nullable: true}\n";

    refusing(yaml)
        .hasMessageContaining("unknown field 'nullable' at spec.changes[1].addColumn.nullable");
  }

  @Test
  void unknownOperationIsRefusedListingTheOperationsThatExist() {
    String yaml =
        HEAD + "spec:\n  table: users\n  changes:\n    - addColum: {name: b, type: int}\n";

    refusing(yaml)
        .hasMessageContaining("unknown field 'addColum' at spec.changes[0].addColum")
        .hasMessageContaining("addColumn, addForeignKey");
  }

  @Test
  void textWhereANumberBelongsNamesTheField() {
    refusing(document("  backfill: {batchSize: lots}\n"))
        .hasMessageContaining("invalid value 'lots' at spec.backfill.batchSize");
  }

  @Test
  void fractionWhereAnIntegerBelongsIsRefusedNotRounded() {
    refusing(document("  backfill: {batchSize: 1.5}\n"))
        .hasMessageContaining("spec.backfill.batchSize");
  }

  @Test
  void numberTooLargeForItsFieldIsOutOfRange() {
    refusing(document("  cutover: {maxAttempts: 99999999999}\n"))
        .hasMessageContaining("number out of range at spec.cutover.maxAttempts");
  }

  @Test
  void listWhereAMapBelongsSaysWhatWasExpected() {
    refusing(HEAD + "spec:\n  table: users\n  changes: {addColumn: {name: b, type: int}}\n")
        .hasMessageContaining("wrong type at spec.changes: expected a list");
  }

  @Test
  void misspelledEnumValueListsTheAllowedValues() {
    refusing(document("  cutover: {mode: automatic}\n"))
        .hasMessageContaining(
            "invalid value 'automatic' at spec.cutover.mode (expected one of: Automatic, Manual)");
  }

  @Test
  void wordForAFlagIsRefused() {
    refusing(document("  approval: {required: maybe}\n"))
        .hasMessageContaining("spec.approval.required");
  }

  @Test
  void repeatedKeyIsRefusedInsteadOfTheLastOneWinning() {
    refusing(HEAD + "spec:\n  table: users\n  table: orders\n" + CHANGES)
        .hasMessageContaining("Duplicate field 'table'");
  }

  @Test
  void secondDocumentInTheFileIsRefused() {
    refusing(document("") + "---\n" + document(""))
        .hasMessage(
            "users.yaml: the file holds 2 YAML documents; a file holds one SchemaMigration");
  }

  @Test
  void fileWithOnlyCommentsIsEmpty() {
    refusing("# nothing here\n\n").hasMessage("users.yaml: the file is empty");
  }

  @Test
  void aliasIsRefusedRatherThanReadAsTheAnchorsName() {
    String yaml =
        HEAD + "spec:\n  table: &t users\n  changes:\n    - addColumn: {name: *t, type: int}\n";

    refusing(yaml).hasMessageContaining("YAML aliases (*t) are not supported");
  }

  @Test
  void malformedYamlGivesTheLineAndColumnOfTheMistake() {
    refusing(HEAD + "spec:\n  table: a: b\n" + CHANGES)
        .hasMessage(
            "users.yaml: malformed YAML at line 5, column 11: mapping values are not allowed here");
  }

  @Test
  void documentLargerThanAMebibyteIsRefusedBeforeParsing() {
    String big = document("") + "# " + "x".repeat(1 << 20) + "\n";

    refusing(big).hasMessageContaining("larger than 1 MiB");
  }

  @Test
  void structuralProblemsAreReportedTogetherAfterTheSource() {
    String yaml =
        "apiVersion: inflight.dev/v1alpha1\nkind: SchemaMigration\nmetadata: {name: Bad_Name}\n"
            + "spec:\n  table: users\n  changes: []\n  backfill: {batchSize: 0}\n";

    refusing(yaml)
        .hasMessageContaining("metadata.name: 'Bad_Name' must be lower-case")
        .hasMessageContaining("; spec.changes: at least one change is required")
        .hasMessageContaining("; spec.backfill.batchSize: 0 is outside 1..1000000");
  }

  @Test
  void fileIsReadAndNamedInItsErrors(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("m.yaml");
    Files.writeString(file, document("  cutover: {lockTimeout: 2}\n"));

    assertThatThrownBy(() -> reader.read(file))
        .isInstanceOf(SpecException.class)
        .hasMessage(
            file
                + ": spec.cutover.lockTimeout: '2' is not a duration; use a number with a"
                + " unit ms, s, m, h or d, e.g. 500ms, 2s, 24h");
  }

  @Test
  void missingFileIsNamedInTheError(@TempDir Path dir) {
    Path file = dir.resolve("absent.yaml");

    assertThatThrownBy(() -> reader.read(file))
        .isInstanceOf(SpecException.class)
        .hasMessageStartingWith("cannot read " + file);
  }
}
