package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A table without a primary key, whose rows a unique index on NOT NULL columns identifies. */
@ExtendWith(PostgresExtension.class)
class UniqueKeyTest {
  @Test
  void uniqueNotNullKeyStandsInForThePrimaryKey(TestDatabase db) throws Exception {
    db.exec(
        "CREATE TABLE readings (sensor text NOT NULL, at timestamptz NOT NULL, value double precision, note text)",
        "CREATE UNIQUE INDEX readings_key ON readings (sensor, at)",
        "CREATE INDEX readings_value ON readings (value)",
        "INSERT INTO readings SELECT 's' || (g % 20), timestamptz '2026-01-01' + g * interval '1 minute', g / 7.0, NULL"
            + " FROM generate_series(1, 4000) g");
    MigrationDocument doc =
        Migrations.document(
            "readings-unit",
            "public.readings",
            "- addColumn: {name: unit, type: text, default: \"'C'\"}\n",
            "backfill: {batchSize: 300, targetBatchTime: 10ms}\n");
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("readings-unit", doc.spec());
    assertThat(engine.get(m.id()).planJson()).contains("ON CONFLICT (\\\"sensor\\\", \\\"at\\\")");
    // Writes before and during the migration, including a change of the key itself.
    db.exec(
        "UPDATE readings SET value = -1 WHERE sensor = 's3'",
        "UPDATE readings SET at = at + interval '1 year' WHERE sensor = 's4'",
        "DELETE FROM readings WHERE sensor = 's5'");
    assertThat(Migrations.run(engine, m.id(), doc.spec()).phase())
        .isEqualTo(MigrationPhase.Completed);
    assertThat(engine.verify(m.id()).differences()).isEmpty();
    assertThat(db.count("SELECT count(*) FROM readings")).isEqualTo(3800);
    assertThat(db.count("SELECT count(*) FROM readings WHERE value = -1 AND unit = 'C'"))
        .isEqualTo(200);
    assertThat(db.count("SELECT count(*) FROM readings WHERE at >= '2027-01-01'")).isEqualTo(200);

    db.exec(
        "INSERT INTO readings (sensor, at, value) VALUES ('new', now(), 1)",
        "DELETE FROM readings WHERE sensor = 's6'");
    assertThat(
            Migrations.run(engine, m.id(), Migrations.withAction(doc.spec(), Action.Rollback))
                .phase())
        .isEqualTo(MigrationPhase.RolledBack);
    assertThat(engine.verify(m.id()).differences()).isEmpty();
    assertThat(db.count("SELECT count(*) FROM readings")).isEqualTo(3601);
  }
}
