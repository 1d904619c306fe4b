package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.MigrationDocument;
import dev.inflight.engine.plan.Plan;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A prepared statement that returns a column whose type changes fails once per connection after the
 * swap, as after ALTER TABLE, whatever the statement names: the plan says which columns and what
 * each common driver needs.
 */
@ExtendWith(PostgresExtension.class)
class PlanWarningsTest {
  @Test
  void aReturnedColumnsTypeChangeIsNamedWithWhatDriversNeed(TestDatabase db) throws Exception {
    db.exec(
        "CREATE TABLE accounts (aid int PRIMARY KEY, abalance int NOT NULL, note text)",
        "INSERT INTO accounts SELECT g, 0, '' FROM generate_series(1, 10) g");
    MigrationDocument doc =
        Migrations.document(
            "accounts-bigint",
            "public.accounts",
            "- alterColumnType: {column: abalance, type: bigint}",
            null);

    Plan plan = Migrations.engine(db.dataSource()).plan(doc.spec());

    assertThat(plan.warnings())
        .anySatisfy(
            w ->
                assertThat(w)
                    .contains("abalance changes type from integer to bigint")
                    .contains("cached plan must not change result type")
                    .contains("autosave=conservative")
                    .contains("psycopg")
                    .contains("pgx")
                    .contains("pgbench -M prepared"));
    assertThat(plan.warnings()).noneMatch(w -> w.contains("note changes type"));
  }
}
