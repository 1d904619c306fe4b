package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import dev.inflight.api.MigrationSpec;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.api.MigrationSpec.ControlSpec;
import dev.inflight.api.MigrationSpec.CutoverControl;
import dev.inflight.api.SpecReader;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.engine.plan.Plan;
import dev.inflight.testing.CatalogSnapshot;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every change operation, alone and in the combinations that interact, through the whole life of a
 * migration as pgroll's harness runs it: plan, apply, rollback, apply again, finalize, with the
 * table checked after each step.
 *
 * <p>The expected table is never derived from the engine: each case names the plain {@code ALTER
 * TABLE} statements with the same meaning, and PostgreSQL applies them to a reference copy of the
 * table in schema {@code expected}. Writes made on the live table after cut-over are made on that
 * copy too, and, in the original shape (with the reverse transform done by hand), on a second copy
 * in schema {@code before}, which is what the table must be after a rollback.
 */
@Tag("pg15")
@ExtendWith(PostgresExtension.class)
class ChangeOperationsTest {
  private static final String NAME = "items-change";
  private static final int ROWS = 3000;
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  /**
   * One migration and its oracle. Statements use {@code {t}} for the table and {@code {s}} for its
   * schema.
   *
   * @param changes the spec's changes, one YAML flow mapping each
   * @param sameChangeByAlterTable what a person would run on a quiet table for the same result
   * @param writesInNewShape writes an application makes on the new table after cut-over
   * @param sameWritesInOriginalShape the same writes as the original table must show them after a
   *     rollback (reverse transforms applied)
   */
  record Case(
      List<String> changes,
      List<String> sameChangeByAlterTable,
      List<String> writesInNewShape,
      List<String> sameWritesInOriginalShape) {}

  /**
   * The writes every case ends with: an update of a row inserted after cut-over, deletes, and a
   * primary-key update (the key moves, so replay must delete the old key and insert the new one).
   */
  private static final String AND_THE_USUAL = "{usual}";

  private static final List<String> USUAL =
      List.of(
          "UPDATE {t} SET name = 'late-1 renamed' WHERE name = 'late-1'",
          "DELETE FROM {t} WHERE id IN (10, 11)",
          "UPDATE {t} SET id = id + 9000 WHERE id IN (12, 13)");

  /**
   * For a dropped column, the primary-key update above is a delete and an insert: the archived
   * table receives the moved rows as new rows, so the dropped value is recomputed as for an
   * inserted row (reverseUsing, else the default, else NULL), not kept. This is invariant 2 to the
   * letter ("the new one with the reverse change applied"); an update that keeps the key keeps the
   * archived value.
   */
  private static final String MOVED_ROWS_ARE_NEW_ROWS =
      "UPDATE {t} SET %s WHERE id IN (9012, 9013)";

  /** Writes in the original shape; inserted rows take ids 3001 and 3002 from the identity. */
  private static final List<String> WRITES =
      List.of(
          "INSERT INTO {t} (name, qty, flag, note, category, created_at) VALUES"
              + " ('late-1', 7, 1, 'late', 'cat-late', '2024-06-01 00:00:00+00'),"
              + " ('late-2', 0, 2, NULL, 'cat-late', '2024-06-01 00:01:00+00')",
          "UPDATE {t} SET qty = qty + 100, note = 'edited' WHERE id IN (5, 8)",
          AND_THE_USUAL);

  static Stream<Arguments> operations() {
    return Stream.of(
        argumentSet(
            "addColumn: existing rows get the default, rollback drops the column",
            new Case(
                List.of(
                    "addColumn: {name: sku, type: varchar(20), default: \"'none'\", notNull: true,"
                        + " comment: stock keeping unit}"),
                List.of(
                    "ALTER TABLE {t} ADD COLUMN sku varchar(20) DEFAULT 'none' NOT NULL",
                    "COMMENT ON COLUMN {t}.sku IS 'stock keeping unit'"),
                List.of(
                    "INSERT INTO {t} (name, qty, flag, note, category, created_at, sku) VALUES"
                        + " ('late-1', 7, 1, 'late', 'cat-late', '2024-06-01 00:00:00+00', 'SKU-1'),"
                        + " ('late-2', 0, 2, NULL, 'cat-late', '2024-06-01 00:01:00+00', DEFAULT)",
                    "UPDATE {t} SET qty = qty + 100, note = 'edited', sku = 'SKU-' || id WHERE id IN (5, 8)",
                    AND_THE_USUAL),
                WRITES)),
        argumentSet(
            "dropColumn: the archived table keeps the values, later rows come back with NULL",
            new Case(
                List.of("dropColumn: {name: note}"),
                List.of("ALTER TABLE {t} DROP COLUMN note"),
                List.of(
                    "INSERT INTO {t} (name, qty, flag, category, created_at) VALUES"
                        + " ('late-1', 7, 1, 'cat-late', '2024-06-01 00:00:00+00'),"
                        + " ('late-2', 0, 2, 'cat-late', '2024-06-01 00:01:00+00')",
                    "UPDATE {t} SET qty = qty + 100 WHERE id IN (5, 8)",
                    AND_THE_USUAL),
                List.of(
                    "INSERT INTO {t} (name, qty, flag, category, created_at) VALUES"
                        + " ('late-1', 7, 1, 'cat-late', '2024-06-01 00:00:00+00'),"
                        + " ('late-2', 0, 2, 'cat-late', '2024-06-01 00:01:00+00')",
                    "UPDATE {t} SET qty = qty + 100 WHERE id IN (5, 8)",
                    AND_THE_USUAL,
                    MOVED_ROWS_ARE_NEW_ROWS.formatted("note = NULL")))),
        argumentSet(
            "dropColumn with reverseUsing: its index goes, rows written later are recomputed on rollback",
            new Case(
                List.of("dropColumn: {name: category, reverseUsing: \"'cat-' || (id % 7)\"}"),
                List.of("ALTER TABLE {t} DROP COLUMN category"),
                List.of(
                    "INSERT INTO {t} (name, qty, flag, note, created_at) VALUES"
                        + " ('late-1', 7, 1, 'late', '2024-06-01 00:00:00+00'),"
                        + " ('late-2', 0, 2, NULL, '2024-06-01 00:01:00+00')",
                    "UPDATE {t} SET qty = qty + 100, note = 'edited' WHERE id IN (5, 8)",
                    AND_THE_USUAL),
                List.of(
                    "INSERT INTO {t} (name, qty, flag, note, created_at) VALUES"
                        + " ('late-1', 7, 1, 'late', '2024-06-01 00:00:00+00'),"
                        + " ('late-2', 0, 2, NULL, '2024-06-01 00:01:00+00')",
                    "UPDATE {t} SET qty = qty + 100, note = 'edited', category = 'cat-' || (id % 7)"
                        + " WHERE id IN (5, 8)",
                    AND_THE_USUAL,
                    "UPDATE {t} SET category = 'cat-' || (id % 7) WHERE id > " + ROWS))),
        argumentSet(
            "dropColumn NOT NULL with a default: its check and index go, later rows come back with the default",
            new Case(
                List.of("dropColumn: {name: qty}"),
                List.of("ALTER TABLE {t} DROP COLUMN qty"),
                List.of(
                    "INSERT INTO {t} (name, flag, note, category, created_at) VALUES"
                        + " ('late-1', 1, 'late', 'cat-late', '2024-06-01 00:00:00+00'),"
                        + " ('late-2', 2, NULL, 'cat-late', '2024-06-01 00:01:00+00')",
                    "UPDATE {t} SET note = 'edited' WHERE id IN (5, 8)",
                    AND_THE_USUAL),
                List.of(
                    "INSERT INTO {t} (name, flag, note, category, created_at) VALUES"
                        + " ('late-1', 1, 'late', 'cat-late', '2024-06-01 00:00:00+00'),"
                        + " ('late-2', 2, NULL, 'cat-late', '2024-06-01 00:01:00+00')",
                    "UPDATE {t} SET note = 'edited' WHERE id IN (5, 8)",
                    AND_THE_USUAL,
                    MOVED_ROWS_ARE_NEW_ROWS.formatted("qty = DEFAULT")))),
        argumentSet(
            "renameColumn: the check constraint and the partial index follow the new name",
            new Case(
                List.of("renameColumn: {from: qty, to: quantity}"),
                List.of("ALTER TABLE {t} RENAME COLUMN qty TO quantity"),
                List.of(
                    "INSERT INTO {t} (name, quantity, flag, note, category, created_at) VALUES"
                        + " ('late-1', 7, 1, 'late', 'cat-late', '2024-06-01 00:00:00+00'),"
                        + " ('late-2', 0, 2, NULL, 'cat-late', '2024-06-01 00:01:00+00')",
                    "UPDATE {t} SET quantity = quantity + 100, note = 'edited' WHERE id IN (5, 8)",
                    AND_THE_USUAL),
                WRITES)),
        argumentSet(
            "renameColumn of the primary key column: the key and its identity sequence follow",
            new Case(
                List.of("renameColumn: {from: id, to: item_id}"),
                List.of("ALTER TABLE {t} RENAME COLUMN id TO item_id"),
                List.of(
                    "INSERT INTO {t} (name, qty, flag, note, category, created_at) VALUES"
                        + " ('late-1', 7, 1, 'late', 'cat-late', '2024-06-01 00:00:00+00'),"
                        + " ('late-2', 0, 2, NULL, 'cat-late', '2024-06-01 00:01:00+00')",
                    "UPDATE {t} SET qty = qty + 100, note = 'edited' WHERE item_id IN (5, 8)",
                    "UPDATE {t} SET name = 'late-1 renamed' WHERE name = 'late-1'",
                    "DELETE FROM {t} WHERE item_id IN (10, 11)",
                    "UPDATE {t} SET item_id = item_id + 9000 WHERE item_id IN (12, 13)"),
                WRITES)),
        argumentSet(
            "alterColumnType by assignment cast: integer to bigint keeps default, check and index",
            new Case(
                List.of("alterColumnType: {column: qty, type: bigint}"),
                List.of("ALTER TABLE {t} ALTER COLUMN qty TYPE bigint"),
                WRITES,
                WRITES)),
        argumentSet(
            "setNotNull: a nullable column without NULLs becomes NOT NULL",
            new Case(
                List.of("setNotNull: {column: category}"),
                List.of("ALTER TABLE {t} ALTER COLUMN category SET NOT NULL"),
                WRITES,
                WRITES)),
        argumentSet(
            "dropNotNull: the column accepts NULL, rollback restores NOT NULL",
            new Case(
                List.of("dropNotNull: {column: name}"),
                List.of("ALTER TABLE {t} ALTER COLUMN name DROP NOT NULL"),
                WRITES,
                WRITES)),
        argumentSet(
            "setDefault: rows inserted later get the new default, carried back as values",
            new Case(
                List.of("setDefault: {column: qty, default: \"1\"}"),
                List.of("ALTER TABLE {t} ALTER COLUMN qty SET DEFAULT 1"),
                List.of(
                    "INSERT INTO {t} (name, flag, note, category, created_at) VALUES"
                        + " ('late-1', 1, 'late', 'cat-late', '2024-06-01 00:00:00+00'),"
                        + " ('late-2', 2, NULL, 'cat-late', '2024-06-01 00:01:00+00')",
                    "UPDATE {t} SET qty = qty + 100, note = 'edited' WHERE id IN (5, 8)",
                    AND_THE_USUAL),
                List.of(
                    "INSERT INTO {t} (name, qty, flag, note, category, created_at) VALUES"
                        + " ('late-1', 1, 1, 'late', 'cat-late', '2024-06-01 00:00:00+00'),"
                        + " ('late-2', 1, 2, NULL, 'cat-late', '2024-06-01 00:01:00+00')",
                    "UPDATE {t} SET qty = qty + 100, note = 'edited' WHERE id IN (5, 8)",
                    AND_THE_USUAL))),
        argumentSet(
            "dropDefault: the column loses its default, rollback restores it",
            new Case(
                List.of("dropDefault: {column: flag}"),
                List.of("ALTER TABLE {t} ALTER COLUMN flag DROP DEFAULT"),
                WRITES,
                WRITES)),
        argumentSet(
            "createIndex on an expression with a predicate",
            new Case(
                List.of(
                    "createIndex: {name: items_note_lower_idx, expressions: [lower(note)], where: note IS NOT NULL}"),
                List.of(
                    "CREATE INDEX items_note_lower_idx ON {t} (lower(note)) WHERE note IS NOT NULL"),
                WRITES,
                WRITES)),
        argumentSet(
            "createIndex unique on two columns",
            new Case(
                List.of(
                    "createIndex: {name: items_category_name_key, columns: [category, name], unique: true}"),
                List.of("CREATE UNIQUE INDEX items_category_name_key ON {t} (category, name)"),
                WRITES,
                WRITES)),
        argumentSet(
            "dropIndex of a plain index",
            new Case(
                List.of("dropIndex: {name: items_category_idx}"),
                List.of("DROP INDEX {s}.items_category_idx"),
                WRITES,
                WRITES)),
        argumentSet(
            "dropIndex of a unique constraint's index drops the constraint",
            new Case(
                List.of("dropIndex: {name: items_name_key}"),
                List.of("ALTER TABLE {t} DROP CONSTRAINT items_name_key"),
                WRITES,
                WRITES)),
        argumentSet(
            "addCheck: a named CHECK constraint",
            new Case(
                List.of("addCheck: {name: items_name_not_blank, expression: \"name <> ''\"}"),
                List.of("ALTER TABLE {t} ADD CONSTRAINT items_name_not_blank CHECK (name <> '')"),
                WRITES,
                WRITES)));
  }

  @ParameterizedTest(name = "{argumentSetName}")
  @MethodSource("operations")
  void operationAppliesRollsBackLosslesslyAppliesAgainAndFinalizes(Case c, TestDatabase db)
      throws Exception {
    Lifecycle m = new Lifecycle(db, c);
    m.planChangesNothing();
    m.applyGivesTheNewShape();
    m.writeOnTheNewTable();
    m.rollbackRestoresTheOriginalWithLaterWrites();
    m.applyAgainGivesTheNewShape();
    m.finalizeKeepsTheNewTableAndDropsTheRest();
  }

  @Test
  void renameThenAlterColumnTypeUsingTheNewNameConvertsFlagToBoolean(TestDatabase db)
      throws Exception {
    Lifecycle m =
        new Lifecycle(
            db,
            new Case(
                List.of(
                    "renameColumn: {from: flag, to: active}",
                    "alterColumnType: {column: active, type: boolean, using: active <> 0,"
                        + " reverseUsing: CASE WHEN active THEN 1 ELSE 0 END}"),
                List.of(
                    "ALTER TABLE {t} RENAME COLUMN flag TO active",
                    "ALTER TABLE {t} ALTER COLUMN active DROP DEFAULT",
                    "ALTER TABLE {t} ALTER COLUMN active TYPE boolean USING active <> 0",
                    "ALTER TABLE {t} ALTER COLUMN active SET DEFAULT false"),
                List.of(
                    "INSERT INTO {t} (name, qty, active, note, category, created_at) VALUES"
                        + " ('late-1', 7, true, 'late', 'cat-late', '2024-06-01 00:00:00+00'),"
                        + " ('late-2', 0, DEFAULT, NULL, 'cat-late', '2024-06-01 00:01:00+00')",
                    "UPDATE {t} SET qty = qty + 100, note = 'edited' WHERE id IN (5, 8)",
                    "UPDATE {t} SET active = NOT active WHERE id = 7",
                    AND_THE_USUAL),
                List.of(
                    "INSERT INTO {t} (name, qty, flag, note, category, created_at) VALUES"
                        + " ('late-1', 7, 1, 'late', 'cat-late', '2024-06-01 00:00:00+00'),"
                        + " ('late-2', 0, 0, NULL, 'cat-late', '2024-06-01 00:01:00+00')",
                    "UPDATE {t} SET qty = qty + 100, note = 'edited', flag = CASE WHEN flag <> 0 THEN 1 ELSE 0 END"
                        + " WHERE id IN (5, 8)",
                    "UPDATE {t} SET flag = 0 WHERE id = 7",
                    AND_THE_USUAL)));
    m.planChangesNothing();
    m.applyGivesTheNewShape();

    CatalogSnapshot.Shape live = m.live().shape();
    assertThat(live.columns().stream().map(CatalogSnapshot.Column::name)).doesNotContain("flag");
    assertThat(live.column("active").type()).isEqualTo("boolean");
    assertThat(live.column("active").defaultExpr()).isEqualTo("false");
    assertThat(
            db.count(
                "SELECT count(*) FROM public.items n JOIN before.items o USING (id)"
                    + " WHERE n.active IS DISTINCT FROM (o.flag <> 0)"))
        .as("rows whose active is not (original flag <> 0)")
        .isZero();
    assertThat(db.count("SELECT count(*) FROM public.items WHERE active")).isEqualTo(ROWS * 2 / 3);

    m.writeOnTheNewTable();
    m.rollbackRestoresTheOriginalWithLaterWrites();

    // Untouched rows keep their original integer (2 stays 2); rows written after cut-over come
    // back through reverseUsing, so a 2 that was rewritten comes back as 1.
    assertThat(
            idToFlag(
                db,
                "SELECT id, flag FROM public.items WHERE id IN (2, 5, 6, 7, 8, 3001, 3002) ORDER BY id"))
        .containsExactly(
            Map.entry(2L, 2),
            Map.entry(5L, 1),
            Map.entry(6L, 0),
            Map.entry(7L, 0),
            Map.entry(8L, 1),
            Map.entry(3001L, 1),
            Map.entry(3002L, 0));

    m.applyAgainGivesTheNewShape();
    m.finalizeKeepsTheNewTableAndDropsTheRest();
  }

  @Test
  void addColumnThenCreateUniqueIndexOnIt(TestDatabase db) throws Exception {
    Lifecycle m =
        new Lifecycle(
            db,
            new Case(
                List.of(
                    "addColumn: {name: sku, type: varchar(20)}",
                    "createIndex: {name: items_sku_key, columns: [sku], unique: true}"),
                List.of(
                    "ALTER TABLE {t} ADD COLUMN sku varchar(20)",
                    "CREATE UNIQUE INDEX items_sku_key ON {t} (sku)"),
                List.of(
                    "INSERT INTO {t} (name, qty, flag, note, category, created_at, sku) VALUES"
                        + " ('late-1', 7, 1, 'late', 'cat-late', '2024-06-01 00:00:00+00', 'SKU-A'),"
                        + " ('late-2', 0, 2, NULL, 'cat-late', '2024-06-01 00:01:00+00', 'SKU-B')",
                    "UPDATE {t} SET qty = qty + 100, note = 'edited', sku = 'SKU-' || id WHERE id IN (5, 8)",
                    AND_THE_USUAL),
                WRITES));
    m.planChangesNothing();
    m.applyGivesTheNewShape();
    assertThat(m.live().shape().index("items_sku_key").definition())
        .isEqualTo("CREATE UNIQUE INDEX items_sku_key ON {table} USING btree (sku)");
    assertThat(
            db.count(
                "SELECT count(*) FROM pg_index WHERE indexrelid = 'public.items_sku_key'::regclass AND indisvalid"))
        .isEqualTo(1);

    m.writeOnTheNewTable();
    assertThatThrownBy(
            () ->
                db.exec(
                    "INSERT INTO public.items (id, name, sku) VALUES (4000, 'duplicate sku', 'SKU-A')"))
        .hasMessageContaining("items_sku_key");

    m.rollbackRestoresTheOriginalWithLaterWrites();
    assertThat(
            db.count(
                "SELECT count(*) FROM pg_class WHERE relname = 'items_sku_key' AND relnamespace = 'public'::regnamespace"))
        .isZero();

    m.applyAgainGivesTheNewShape();
    m.finalizeKeepsTheNewTableAndDropsTheRest();
  }

  @Test
  void dropIndexThenCreateIndexReusingItsName(TestDatabase db) throws Exception {
    Lifecycle m =
        new Lifecycle(
            db,
            new Case(
                List.of(
                    "dropIndex: {name: items_category_idx}",
                    "createIndex: {name: items_category_idx, columns: [category, qty]}"),
                List.of(
                    "DROP INDEX {s}.items_category_idx",
                    "CREATE INDEX items_category_idx ON {t} (category, qty)"),
                WRITES,
                WRITES));
    String original =
        "CREATE INDEX items_category_idx ON {table} USING btree (category, created_at DESC)";
    String replaced = "CREATE INDEX items_category_idx ON {table} USING btree (category, qty)";
    m.planChangesNothing();
    m.applyGivesTheNewShape();
    assertThat(m.live().shape().index("items_category_idx").definition()).isEqualTo(replaced);
    m.writeOnTheNewTable();
    m.rollbackRestoresTheOriginalWithLaterWrites();
    assertThat(m.live().shape().index("items_category_idx").definition()).isEqualTo(original);
    m.applyAgainGivesTheNewShape();
    assertThat(m.live().shape().index("items_category_idx").definition()).isEqualTo(replaced);
    m.finalizeKeepsTheNewTableAndDropsTheRest();
  }

  @Test
  void alterColumnTypeConvertsAConstantDefaultThroughUsing(TestDatabase db) throws Exception {
    Lifecycle m =
        new Lifecycle(
            db,
            new Case(
                List.of(
                    "alterColumnType: {column: flag, type: text,"
                        + " using: \"CASE flag WHEN 0 THEN 'off' WHEN 1 THEN 'on' ELSE 'other' END\","
                        + " reverseUsing: \"CASE flag WHEN 'off' THEN 0 WHEN 'on' THEN 1 ELSE 2 END\"}"),
                List.of(
                    "ALTER TABLE {t} ALTER COLUMN flag DROP DEFAULT",
                    "ALTER TABLE {t} ALTER COLUMN flag TYPE text"
                        + " USING CASE flag WHEN 0 THEN 'off' WHEN 1 THEN 'on' ELSE 'other' END",
                    "ALTER TABLE {t} ALTER COLUMN flag SET DEFAULT 'off'"),
                List.of(
                    "INSERT INTO {t} (name, qty, flag, note, category, created_at) VALUES"
                        + " ('late-1', 7, 'on', 'late', 'cat-late', '2024-06-01 00:00:00+00'),"
                        + " ('late-2', 0, DEFAULT, NULL, 'cat-late', '2024-06-01 00:01:00+00')",
                    "UPDATE {t} SET qty = qty + 100, note = 'edited', flag = 'on' WHERE id IN (5, 8)",
                    "UPDATE {t} SET flag = 'other' WHERE id = 6",
                    AND_THE_USUAL),
                List.of(
                    "INSERT INTO {t} (name, qty, flag, note, category, created_at) VALUES"
                        + " ('late-1', 7, 1, 'late', 'cat-late', '2024-06-01 00:00:00+00'),"
                        + " ('late-2', 0, 0, NULL, 'cat-late', '2024-06-01 00:01:00+00')",
                    "UPDATE {t} SET qty = qty + 100, note = 'edited', flag = 1 WHERE id IN (5, 8)",
                    "UPDATE {t} SET flag = 2 WHERE id = 6",
                    AND_THE_USUAL)));
    m.planChangesNothing();
    m.applyGivesTheNewShape();
    // The default 0 went through using (a plain cast would give '0').
    assertThat(m.live().shape().column("flag").defaultExpr()).isEqualTo("'off'::text");
    assertThat(
            db.count(
                "SELECT count(*) FROM public.items n JOIN before.items o USING (id)"
                    + " WHERE n.flag IS DISTINCT FROM CASE o.flag WHEN 0 THEN 'off' WHEN 1 THEN 'on' ELSE 'other' END"))
        .as("rows whose label does not match the original flag")
        .isZero();

    m.writeOnTheNewTable();
    assertThat(db.strings("SELECT flag FROM public.items WHERE id = 3002")).containsExactly("off");
    m.rollbackRestoresTheOriginalWithLaterWrites();
    assertThat(m.live().shape().column("flag").defaultExpr()).isEqualTo("0");
    assertThat(idToFlag(db, "SELECT id, flag FROM public.items WHERE id IN (6, 3002) ORDER BY id"))
        .containsExactly(Map.entry(6L, 2), Map.entry(3002L, 0));

    m.applyAgainGivesTheNewShape();
    m.finalizeKeepsTheNewTableAndDropsTheRest();
  }

  @Test
  void addColumnThenSetDefaultGivesExistingRowsTheDefaultOfAddColumn(TestDatabase db)
      throws Exception {
    Lifecycle m =
        new Lifecycle(
            db,
            new Case(
                List.of(
                    "addColumn: {name: sku, type: varchar(20), default: \"'none'\"}",
                    "setDefault: {column: sku, default: \"'unassigned'\"}"),
                List.of(
                    "ALTER TABLE {t} ADD COLUMN sku varchar(20) DEFAULT 'none'",
                    "ALTER TABLE {t} ALTER COLUMN sku SET DEFAULT 'unassigned'"),
                WRITES,
                WRITES));
    m.planChangesNothing();
    m.applyGivesTheNewShape();
    assertThat(m.live().shape().column("sku").defaultExpr())
        .isEqualTo("'unassigned'::character varying");
    assertThat(db.count("SELECT count(*) FROM public.items WHERE sku = 'none'"))
        .as("existing rows get the default addColumn gives, as ALTER TABLE ADD COLUMN does")
        .isEqualTo(ROWS);
    m.writeOnTheNewTable();
    assertThat(db.strings("SELECT sku FROM public.items WHERE id IN (3001, 3002)"))
        .containsExactly("unassigned", "unassigned");
    m.rollbackRestoresTheOriginalWithLaterWrites();
    m.applyAgainGivesTheNewShape();
    m.finalizeKeepsTheNewTableAndDropsTheRest();
  }

  @Test
  void addColumnNotNullThenDropDefaultFillsExistingRowsAndRequiresAValueAfterwards(TestDatabase db)
      throws Exception {
    Lifecycle m =
        new Lifecycle(
            db,
            new Case(
                List.of(
                    "addColumn: {name: sku, type: varchar(20), default: \"''\", notNull: true}",
                    "dropDefault: {column: sku}"),
                List.of(
                    "ALTER TABLE {t} ADD COLUMN sku varchar(20) NOT NULL DEFAULT ''",
                    "ALTER TABLE {t} ALTER COLUMN sku DROP DEFAULT"),
                List.of(
                    "INSERT INTO {t} (name, qty, flag, note, category, created_at, sku) VALUES"
                        + " ('late-1', 7, 1, 'late', 'cat-late', '2024-06-01 00:00:00+00', 'SKU-1'),"
                        + " ('late-2', 0, 2, NULL, 'cat-late', '2024-06-01 00:01:00+00', 'SKU-2')",
                    "UPDATE {t} SET qty = qty + 100, note = 'edited', sku = 'SKU-' || id WHERE id IN (5, 8)",
                    AND_THE_USUAL),
                WRITES));
    m.planChangesNothing();
    m.applyGivesTheNewShape();
    CatalogSnapshot.Column sku = m.live().shape().column("sku");
    assertThat(sku.notNull()).isTrue();
    assertThat(sku.defaultExpr()).isNull();
    assertThat(db.count("SELECT count(*) FROM public.items WHERE sku = ''")).isEqualTo(ROWS);
    m.writeOnTheNewTable();
    assertThatThrownBy(() -> db.exec("INSERT INTO public.items (id, name) VALUES (4000, 'no sku')"))
        .hasMessageContaining("sku");
    m.rollbackRestoresTheOriginalWithLaterWrites();
    m.applyAgainGivesTheNewShape();
    m.finalizeKeepsTheNewTableAndDropsTheRest();
  }

  @Test
  void addColumnWithANonConstantDefaultReplacedLaterIsRefused(TestDatabase db) throws Exception {
    Lifecycle m =
        new Lifecycle(
            db,
            new Case(
                List.of(
                    "addColumn: {name: seen_at, type: timestamptz, default: now()}",
                    "dropDefault: {column: seen_at}"),
                List.of(),
                List.of(),
                List.of()));
    // The copy runs in many transactions, so now() cannot give every existing row the one value
    // ALTER TABLE ADD COLUMN would; the plan says so instead of failing verification later.
    assertThatThrownBy(() -> m.engine.plan(m.spec))
        .isInstanceOf(PlanRejectedException.class)
        .hasMessageContaining("addColumn seen_at")
        .hasMessageContaining("not a constant");
    assertThat(m.live()).isEqualTo(m.original);
    assertThat(CatalogSnapshot.migrationObjects(db)).isEmpty();
  }

  /** A timestamptz column with DEFAULT now() stored as UTC timestamp; the default is replaced. */
  private static final String TO_UTC =
      "alterColumnType: {column: created_at, type: timestamp, using: created_at AT TIME ZONE 'UTC',"
          + " reverseUsing: created_at AT TIME ZONE 'UTC'}";

  @Test
  void alterColumnTypeWithANonConstantDefaultFollowedBySetDefault(TestDatabase db)
      throws Exception {
    Lifecycle m =
        new Lifecycle(
            db,
            new Case(
                List.of(
                    TO_UTC, "setDefault: {column: created_at, default: now() AT TIME ZONE 'UTC'}"),
                List.of(
                    "ALTER TABLE {t} ALTER COLUMN created_at DROP DEFAULT",
                    "ALTER TABLE {t} ALTER COLUMN created_at TYPE timestamp USING created_at AT TIME ZONE 'UTC'",
                    "ALTER TABLE {t} ALTER COLUMN created_at SET DEFAULT (now() AT TIME ZONE 'UTC')"),
                List.of(
                    "INSERT INTO {t} (name, qty, flag, note, category, created_at) VALUES"
                        + " ('late-1', 7, 1, 'late', 'cat-late', '2024-06-01 00:00:00'),"
                        + " ('late-2', 0, 2, NULL, 'cat-late', '2024-06-01 00:01:00')",
                    "UPDATE {t} SET qty = qty + 100, note = 'edited', created_at = created_at + interval '24 hours'"
                        + " WHERE id IN (5, 8)",
                    AND_THE_USUAL),
                List.of(
                    "INSERT INTO {t} (name, qty, flag, note, category, created_at) VALUES"
                        + " ('late-1', 7, 1, 'late', 'cat-late', '2024-06-01 00:00:00+00'),"
                        + " ('late-2', 0, 2, NULL, 'cat-late', '2024-06-01 00:01:00+00')",
                    "UPDATE {t} SET qty = qty + 100, note = 'edited', created_at = created_at + interval '24 hours'"
                        + " WHERE id IN (5, 8)",
                    AND_THE_USUAL)));
    m.planChangesNothing();
    m.applyGivesTheNewShape();
    CatalogSnapshot.Column createdAt = m.live().shape().column("created_at");
    assertThat(createdAt.type()).isEqualTo("timestamp without time zone");
    // PostgreSQL 17 prints "(now() AT TIME ZONE 'UTC'::text)", older versions
    // "timezone('UTC'::text, now())".
    assertThat(createdAt.defaultExpr()).contains("now()").contains("'UTC'::text");
    assertThat(
            db.count(
                "SELECT count(*) FROM public.items n JOIN before.items o USING (id)"
                    + " WHERE n.created_at IS DISTINCT FROM (o.created_at AT TIME ZONE 'UTC')"))
        .as("rows whose timestamp is not the original instant in UTC")
        .isZero();
    m.writeOnTheNewTable();
    m.rollbackRestoresTheOriginalWithLaterWrites();
    assertThat(m.live().shape().column("created_at").defaultExpr()).isEqualTo("now()");
    m.applyAgainGivesTheNewShape();
    m.finalizeKeepsTheNewTableAndDropsTheRest();
  }

  @Test
  void alterColumnTypeUsingOverANonConstantDefaultIsRefusedWithoutALaterDefault(TestDatabase db)
      throws Exception {
    Lifecycle m = new Lifecycle(db, new Case(List.of(TO_UTC), List.of(), List.of(), List.of()));
    assertThatThrownBy(() -> m.engine.plan(m.spec))
        .isInstanceOf(PlanRejectedException.class)
        .hasMessageContaining("now()")
        .hasMessageContaining("add setDefault or dropDefault for created_at");
    assertThat(m.live()).isEqualTo(m.original);
    assertThat(CatalogSnapshot.migrationObjects(db)).isEmpty();
  }

  @Test
  void setNotNullOverExistingNullsFailsTheMigrationAndLeavesTheTableIntact(TestDatabase db)
      throws Exception {
    Lifecycle m =
        new Lifecycle(
            db, new Case(List.of("setNotNull: {column: note}"), List.of(), List.of(), List.of()));
    MigrationRecord record = m.engine.submit(NAME, m.spec);
    StepResult r = m.runner.run(record.id(), m.spec, TIMEOUT, x -> {});

    assertThat(r).isInstanceOf(StepResult.Failed.class);
    assertThat(((StepResult.Failed) r).reason()).contains("note");
    assertThat(m.engine.get(record.id()).phase()).isEqualTo(MigrationPhase.Failed);
    assertThat(m.live()).isEqualTo(m.original);
    assertThat(CatalogSnapshot.migrationObjects(db)).isEmpty();
  }

  @Test
  void nullWrittenAfterDropNotNullMakesRollbackUnavailableUntilTheRowIsFixed(TestDatabase db)
      throws Exception {
    Lifecycle m =
        new Lifecycle(
            db, new Case(List.of("dropNotNull: {column: name}"), List.of(), List.of(), List.of()));
    assertThat(m.engine.plan(m.spec).warnings())
        .anyMatch(w -> w.contains("dropNotNull name") && w.contains("makes rollback unavailable"));
    MigrationRecord record = m.engine.submit(NAME, m.spec);
    assertThat(m.runner.run(record.id(), m.spec, TIMEOUT, x -> {}).phase())
        .isEqualTo(MigrationPhase.Completed);
    db.exec("INSERT INTO public.items (id, name) VALUES (5000, NULL)");

    StepResult refused = m.runner.run(record.id(), m.spec(Action.Rollback), TIMEOUT, x -> {});
    assertThat(refused).isInstanceOf(StepResult.Waiting.class);
    assertThat(((StepResult.Waiting) refused).reason())
        .isEqualTo(StepResult.WaitReason.RollbackUnavailable);
    assertThat(m.engine.get(record.id()).phase()).isEqualTo(MigrationPhase.Completed);
    assertThat(db.count("SELECT count(*) FROM public.items WHERE name IS NULL")).isEqualTo(1);

    db.exec("UPDATE public.items SET name = 'named later' WHERE id = 5000");
    StepResult r = m.runner.run(record.id(), m.spec(Action.Rollback), TIMEOUT, x -> {});
    assertThat(r).isInstanceOf(StepResult.Done.class);
    assertThat(r.phase()).isEqualTo(MigrationPhase.RolledBack);
    assertThat(db.strings("SELECT name FROM public.items WHERE id = 5000"))
        .containsExactly("named later");
    assertThat(m.live().shape()).isEqualTo(m.original.shape());
  }

  private static List<Map.Entry<Long, Integer>> idToFlag(TestDatabase db, String sql) {
    return db.rows(sql).stream()
        .map(
            r -> Map.entry(((Number) r.get("id")).longValue(), ((Number) r.get("flag")).intValue()))
        .toList();
  }

  /** The base table, identical in every schema it is created in. */
  private static List<String> createItems(String schema) {
    String t = schema + ".items";
    return List.of(
        "CREATE TABLE "
            + t
            + " (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text NOT NULL,"
            + " qty integer NOT NULL DEFAULT 0, flag integer NOT NULL DEFAULT 0, note varchar(50), category text,"
            + " created_at timestamptz NOT NULL DEFAULT now(),"
            + " CONSTRAINT items_name_key UNIQUE (name), CONSTRAINT items_qty_check CHECK (qty >= 0))",
        "CREATE INDEX items_category_idx ON " + t + " (category, created_at DESC)",
        "CREATE INDEX items_qty_idx ON " + t + " (qty) WHERE qty > 0",
        "COMMENT ON TABLE " + t + " IS 'what the shop sells'",
        "COMMENT ON COLUMN " + t + ".note IS 'free text for the warehouse'",
        "GRANT SELECT ON " + t + " TO PUBLIC");
  }

  /** One migration of public.items, driven step by step with the table checked after each. */
  private static final class Lifecycle {
    final TestDatabase db;
    final Case c;
    final Engine engine;
    final Runner runner;
    final MigrationSpec spec;
    final CatalogSnapshot original;
    final List<Long> ids = new ArrayList<>();

    Lifecycle(TestDatabase db, Case c) {
      this.db = db;
      this.c = c;
      this.engine =
          new Engine(
              db.dataSource(),
              Clock.systemUTC(),
              EngineSettings.defaults(),
              RandomGenerator.getDefault());
      this.runner = new Runner(engine, Clock.systemUTC());
      this.spec = parse(c.changes());
      db.exec(createItems("public").toArray(String[]::new));
      db.exec(
          "INSERT INTO public.items (id, name, qty, flag, note, category, created_at)"
              + " SELECT g, 'item-' || g, g % 50, g % 3, CASE WHEN g % 4 = 0 THEN NULL ELSE 'note ' || g END,"
              + " 'cat-' || (g % 7), timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute'"
              + " FROM generate_series(1, "
              + ROWS
              + ") AS g",
          "SELECT setval(pg_get_serial_sequence('public.items', 'id'), " + ROWS + ")",
          "ANALYZE public.items");
      this.original = live();
      copyTable("before", "public.items");
      assertThat(CatalogSnapshot.of(db, "before", "items"))
          .as("the reference copy is the table itself")
          .isEqualTo(original);
    }

    CatalogSnapshot live() {
      return CatalogSnapshot.of(db, "public", "items");
    }

    MigrationSpec spec(Action action) {
      return new MigrationSpec(
          spec.database(),
          spec.table(),
          spec.changes(),
          spec.backfill(),
          spec.cutover(),
          spec.rollback(),
          spec.approval(),
          new ControlSpec("", CutoverControl.Hold, action),
          spec.deletionPolicy());
    }

    void planChangesNothing() throws SQLException {
      Plan plan = engine.plan(spec);
      assertThat(plan.hash()).startsWith("sha256:");
      assertThat(plan.createShadow()).isNotEmpty();
      assertThat(live()).as("after plan").isEqualTo(original);
      assertThat(CatalogSnapshot.migrationObjects(db)).as("after plan").isEmpty();
      assertThat(db.count("SELECT count(*) FROM pg_namespace WHERE nspname = 'inflight'"))
          .as("plan installs no ledger")
          .isZero();
    }

    void applyGivesTheNewShape() throws Exception {
      apply("first apply");
    }

    void writeOnTheNewTable() {
      run(c.writesInNewShape(), "public");
      run(c.writesInNewShape(), "expected");
      run(c.sameWritesInOriginalShape(), "before");
      assertLiveEquals("expected", "after writes on the new table");
    }

    void rollbackRestoresTheOriginalWithLaterWrites() throws Exception {
      long id = ids.get(ids.size() - 1);
      StepResult r = runner.run(id, spec(Action.Rollback), TIMEOUT, x -> {});
      assertThat(r).as("rollback").isInstanceOf(StepResult.Done.class);
      assertThat(r.phase()).isEqualTo(MigrationPhase.RolledBack);
      assertThat(engine.get(id).phase()).isEqualTo(MigrationPhase.RolledBack);
      assertThat(live().shape())
          .as("after rollback: the shape from before the first apply")
          .usingRecursiveComparison()
          .isEqualTo(original.shape());
      assertLiveEquals("before", "after rollback");
      assertThat(CatalogSnapshot.migrationObjects(db)).as("after rollback").isEmpty();
      assertThat(db.strings("SELECT outcome FROM inflight.history WHERE migration_id = ?", id))
          .containsExactly("RolledBack");
    }

    void applyAgainGivesTheNewShape() throws Exception {
      apply("second apply");
      assertThat(ids.get(1)).as("a new migration after RolledBack").isNotEqualTo(ids.get(0));
    }

    void finalizeKeepsTheNewTableAndDropsTheRest() throws Exception {
      long id = ids.get(ids.size() - 1);
      StepResult r = runner.run(id, spec(Action.Finalize), TIMEOUT, x -> {});
      assertThat(r).as("finalize").isInstanceOf(StepResult.Done.class);
      assertThat(r.phase()).isEqualTo(MigrationPhase.Finalized);
      assertThat(engine.get(id).phase()).isEqualTo(MigrationPhase.Finalized);
      assertLiveEquals("expected", "after finalize");
      assertThat(CatalogSnapshot.migrationObjects(db)).as("after finalize").isEmpty();
      assertThat(db.strings("SELECT outcome FROM inflight.history ORDER BY migration_id"))
          .containsExactly("RolledBack", "Finalized");
    }

    private void apply(String when) throws Exception {
      long rowsBefore = db.count("SELECT count(*) FROM before.items");
      copyTable("expected", "before.items");
      run(c.sameChangeByAlterTable(), "expected");

      MigrationRecord m = engine.submit(NAME, spec);
      ids.add(m.id());
      assertThat(m.phase()).isEqualTo(MigrationPhase.Planning);
      StepResult r = runner.run(m.id(), spec, TIMEOUT, x -> {});
      assertThat(r).as(when).isInstanceOf(StepResult.Done.class);
      assertThat(r.phase()).isEqualTo(MigrationPhase.Completed);
      assertThat(engine.get(m.id()).phase()).isEqualTo(MigrationPhase.Completed);

      assertLiveEquals("expected", "after " + when);
      assertThat(db.count("SELECT count(*) FROM public.items__ifl_old"))
          .as("rows kept in the archived table")
          .isEqualTo(rowsBefore);
      assertThat(CatalogSnapshot.migrationObjects(db))
          .as("after " + when + ": the archived table and the reverse capture, nothing else")
          .contains(
              "relation public.items__ifl_old (relkind r)",
              "trigger inflight_reverse_ins on items",
              "trigger inflight_reverse_upd on items",
              "trigger inflight_reverse_del on items",
              "trigger inflight_reverse_trn on items")
          .noneMatch(o -> o.contains("__ifl_new") || o.contains("inflight_capture_"));
    }

    /** Creates {@code schema.items} as the base table holding the rows of {@code from}. */
    private void copyTable(String schema, String from) {
      List<String> sql = new ArrayList<>();
      sql.add("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      sql.add("CREATE SCHEMA " + schema);
      sql.addAll(createItems(schema));
      sql.add("INSERT INTO " + schema + ".items SELECT * FROM " + from);
      sql.add(
          "SELECT setval(pg_get_serial_sequence('"
              + schema
              + ".items', 'id'),"
              + " pg_sequence_last_value(pg_get_serial_sequence('"
              + from
              + "', 'id')::regclass))");
      db.exec(sql.toArray(String[]::new));
    }

    private void run(List<String> statements, String schema) {
      db.exec(
          statements.stream()
              .flatMap(s -> s.equals(AND_THE_USUAL) ? USUAL.stream() : Stream.of(s))
              .map(s -> s.replace("{t}", schema + ".items").replace("{s}", schema))
              .toArray(String[]::new));
    }

    /** The live table equals {@code schema.items}: shape, identity sequence and every row. */
    private void assertLiveEquals(String schema, String when) {
      CatalogSnapshot live = live();
      CatalogSnapshot expected = CatalogSnapshot.of(db, schema, "items");
      assertThat(live.shape())
          .as("%s: shape of public.items compared with %s.items", when, schema)
          .usingRecursiveComparison()
          .isEqualTo(expected.shape());
      assertThat(live.identities())
          .as("%s: identity sequence", when)
          .isEqualTo(expected.identities());
      assertThat(live.rowsMissingFrom(expected, 5))
          .as("%s: rows of %s.items missing", when, schema)
          .isEmpty();
      assertThat(live.rowsNotIn(expected, 5))
          .as("%s: rows not in %s.items", when, schema)
          .isEmpty();
      assertThat(live.rows().size()).as("%s: row count", when).isEqualTo(expected.rows().size());
    }

    private static MigrationSpec parse(List<String> changes) {
      StringBuilder yaml =
          new StringBuilder(
              "apiVersion: inflight.dev/v1alpha1\nkind: SchemaMigration\nmetadata: {name: "
                  + NAME
                  + "}\n"
                  + "spec:\n  table: public.items\n  changes:\n");
      for (String change : changes) {
        yaml.append("    - ").append(change).append('\n');
      }
      yaml.append("  backfill: {batchSize: 500}\n  rollback: {retainFor: 24h}\n");
      return new SpecReader().parse(yaml.toString(), "test").spec();
    }
  }
}
