package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.api.MigrationDocument;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.SteppedMigration;
import dev.inflight.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Objects that use the table's row type (a function taking or returning {@code items}, a column of
 * type {@code items} in another table) depend on the type, not on the table's name: after the swap
 * they would use the archived table's type, and finalize could not drop it. No swap can move them,
 * so a table with them is refused at Planning with each one named, and one created during the
 * migration stops the swap, nothing swapped.
 */
@ExtendWith(PostgresExtension.class)
class RowTypeDependentsTest {
  private static final String TABLE =
      "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL)";
  private static final String ROWS =
      "INSERT INTO items SELECT g, 'o' || g FROM generate_series(1, 1000) g";

  @Test
  void aTableWhoseRowTypeIsUsedIsRefusedAtPlanningNamingEachUser(TestDatabase db) {
    db.exec(
        TABLE,
        ROWS,
        "CREATE FUNCTION owner_of(i items) RETURNS text LANGUAGE sql AS $$ SELECT i.owner $$",
        "CREATE FUNCTION all_items() RETURNS SETOF items LANGUAGE sql AS $$ SELECT * FROM items $$",
        "CREATE TABLE baskets (id bigint PRIMARY KEY, item items)");
    MigrationDocument doc =
        Migrations.document(
            "items-memo", "public.items", "- addColumn: {name: memo, type: text}", null);

    assertThatThrownBy(() -> Migrations.engine(db.dataSource()).plan(doc.spec()))
        .isInstanceOf(PlanRejectedException.class)
        .hasMessageContaining("row type")
        .hasMessageContaining("function owner_of(items)")
        .hasMessageContaining("function all_items()")
        .hasMessageContaining("column item of table baskets");
    assertThat(db.strings("SELECT (to_regclass('items__ifl_new') IS NULL)::text"))
        .containsExactly("true");
  }

  @Test
  void aRowTypeUserCreatedDuringTheMigrationStopsTheSwapAndLeavesTheTableIntact(TestDatabase db)
      throws Exception {
    db.exec(TABLE, ROWS);
    SteppedMigration m =
        SteppedMigration.start(
            db,
            "items",
            "- addColumn: {name: memo, type: text, default: \"'m'\"}",
            "batchSize: 300");
    m.stepUntil(r -> r.phase() == MigrationPhase.Backfilling);
    db.exec(
        "CREATE FUNCTION all_items() RETURNS SETOF items LANGUAGE sql AS $$ SELECT * FROM items $$");

    StepResult result = m.run();
    assertThat(result.phase()).as(m.record().failure()).isEqualTo(MigrationPhase.Failed);
    assertThat(m.record().failure())
        .contains("row type used by function all_items()")
        .contains("nothing was swapped");
    assertThat(db.count("SELECT count(*) FROM all_items()")).isEqualTo(1000);
    assertThat(db.strings("SELECT attname FROM pg_attribute WHERE attrelid = 'items'::regclass"))
        .doesNotContain("memo");
  }
}
