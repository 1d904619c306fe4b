package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.SteppedMigration;
import dev.inflight.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Keys that compare equal but are written differently (a letter's case under citext or a
 * case-insensitive collation, a numeric's scale): the new table holds what the application last
 * wrote, byte for byte, and verification tells such values apart.
 */
@ExtendWith(PostgresExtension.class)
class EqualKeysTest {
  private static final String ADD_MEMO = "- addColumn: {name: memo, type: text, default: \"'m'\"}";

  private static void changeCaseDuringTheCopyAndMigrate(TestDatabase db, String table)
      throws Exception {
    SteppedMigration m = SteppedMigration.start(db, table, ADD_MEMO, "batchSize: 200");
    m.stepUntil(r -> m.record().backfillDone());
    // Equal to the old key under the column's equality, not the same bytes.
    db.exec(
        "UPDATE " + table + " SET code = 'CODE-0007' WHERE code = 'code-0007'",
        "UPDATE " + table + " SET code = 'Code-0900', label = 'moved' WHERE code = 'code-0900'");
    m.runToCompletion();
    assertThat(
            db.strings(
                "SELECT code::text || '/' || label || '/' || memo FROM "
                    + table
                    + " WHERE lower(code::text) IN ('code-0007', 'code-0900') ORDER BY 1"))
        .containsExactly("CODE-0007/l7/m", "Code-0900/moved/m");
    assertThat(m.engine().verify(m.id()).differences()).isEmpty();
  }

  @Test
  void aCitextKeyChangedOnlyInCaseKeepsItsNewCase(TestDatabase db) throws Exception {
    db.exec(
        "CREATE EXTENSION IF NOT EXISTS citext",
        "CREATE TABLE tags (code citext PRIMARY KEY, label text NOT NULL)",
        "INSERT INTO tags SELECT 'code-' || lpad(g::text, 4, '0'), 'l' || g"
            + " FROM generate_series(1, 1000) g");
    changeCaseDuringTheCopyAndMigrate(db, "tags");
  }

  @Test
  void aKeyUnderACaseInsensitiveCollationChangedOnlyInCaseKeepsItsNewCase(TestDatabase db)
      throws Exception {
    db.exec(
        "CREATE COLLATION IF NOT EXISTS case_insensitive"
            + " (provider = icu, locale = 'und-u-ks-level2', deterministic = false)",
        "CREATE TABLE labels (code text COLLATE case_insensitive PRIMARY KEY, label text NOT NULL)",
        "INSERT INTO labels SELECT 'code-' || lpad(g::text, 4, '0'), 'l' || g"
            + " FROM generate_series(1, 1000) g");
    changeCaseDuringTheCopyAndMigrate(db, "labels");
  }

  @Test
  void verificationTellsApartValuesThatOnlyCompareEqual(TestDatabase db) throws Exception {
    db.exec(
        "CREATE TABLE prices (code numeric PRIMARY KEY, amount numeric NOT NULL)",
        "INSERT INTO prices SELECT g, g FROM generate_series(1, 1000) g");
    SteppedMigration m = SteppedMigration.start(db, "prices", ADD_MEMO, "batchSize: 200");
    m.stepUntil(r -> r.phase() == MigrationPhase.Syncing);
    // Changes the capture cannot see, equal to what the original holds under numeric equality.
    db.exec(
        "UPDATE prices__ifl_new SET code = 7.00 WHERE code = 7",
        "UPDATE prices__ifl_new SET amount = 300.0 WHERE code = 300");

    StepResult r = m.run();
    assertThat(r.phase()).isEqualTo(MigrationPhase.Failed);
    assertThat(m.record().failure()).contains("verification failed: rows differ for code in (");
    assertThat(
            db.strings(
                "SELECT code::text || '/' || amount::text FROM prices WHERE code IN (7, 300)"))
        .as("the original is untouched")
        .containsExactly("7/7", "300/300");
  }
}
