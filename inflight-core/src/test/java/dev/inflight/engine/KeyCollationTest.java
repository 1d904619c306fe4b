package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.MigrationDocument;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A text key under a collation other than the database's: the copy walks the key in the column's
 * order, so the change log and every comparison of keys must use that order too. Otherwise keys the
 * copy has passed look ahead of it to the replay (their changes dropped) and keys ahead of it look
 * passed (replayed, then copied again as duplicates).
 */
@ExtendWith(PostgresExtension.class)
class KeyCollationTest {

  // Whichever of the two the database's default is, the other one sorts differently from it.
  @ParameterizedTest
  @ValueSource(strings = {"\"C\"", "\"und-x-icu\""})
  void changesDuringTheCopyOfAKeyUnderItsOwnCollationAreAllReplayed(
      String collation, TestDatabase db) throws Exception {
    assertThat(db.count("SELECT count(*) FROM pg_collation WHERE collname = 'und-x-icu'"))
        .as("ICU collations")
        .isEqualTo(1);
    db.exec(
        "CREATE TABLE words (w text COLLATE " + collation + " PRIMARY KEY, note text NOT NULL)",
        // Mixed case: 'B' sorts before 'a' under C and after it under ICU.
        "INSERT INTO words SELECT CASE WHEN g % 2 = 0 THEN upper(k) ELSE k END, 'n'"
            + " FROM (SELECT g, md5(g::text) AS k FROM generate_series(1, 3000) g) s");
    MigrationDocument doc =
        Migrations.document(
            "words-memo",
            "public.words",
            "- addColumn: {name: memo, type: text, default: \"'m'\"}",
            "backfill: {batchSize: 400}");
    Engine engine = Migrations.engine(db.dataSource(), Duration.ofMillis(1));
    MigrationRecord record = engine.submit(doc.metadata().name(), doc.spec());
    for (int i = 0; i < 1000 && engine.get(record.id()).rowsCopied() < 1200; i++) {
      engine.step(record.id(), doc.spec());
    }
    assertThat(engine.get(record.id()).backfillDone()).isFalse();

    db.exec("UPDATE words SET note = 'changed'");
    StepResult result = Migrations.run(engine, record.id(), doc.spec());
    assertThat(result.phase())
        .as(engine.get(record.id()).failure())
        .isEqualTo(MigrationPhase.Completed);
    assertThat(db.count("SELECT count(*) FROM words WHERE note = 'changed' AND memo = 'm'"))
        .isEqualTo(3000);
  }
}
