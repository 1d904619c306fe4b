package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the table says about how it is stored and planned, besides its rows: an UNLOGGED table stays
 * UNLOGGED, per-column options ({@code n_distinct}, storage, compression) and extended statistics
 * ({@code CREATE STATISTICS}) are on the live table after cut-over and after rollback, under their
 * own names, with nothing left on the other table.
 */
@ExtendWith(PostgresExtension.class)
class StorageCarryTest {
  private static final String TABLE =
      "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL, kind text NOT NULL)";
  private static final String ROWS =
      "INSERT INTO items SELECT g, 'o' || (g % 50), 'k' || (g % 5) FROM generate_series(1, 1000) g";

  @Test
  void anUnloggedTableStaysUnloggedAfterCutoverAndRollback(TestDatabase db) throws Exception {
    db.exec(TABLE.replace("CREATE TABLE", "CREATE UNLOGGED TABLE"), ROWS);
    Migration m = start(db);

    m.runTo(Action.Run, MigrationPhase.Completed);
    assertThat(persistence(db)).containsExactly("u");
    m.runTo(Action.Rollback, MigrationPhase.RolledBack);
    assertThat(persistence(db)).containsExactly("u");
  }

  @Test
  void columnOptionsStorageAndCompressionSurviveCutoverAndRollback(TestDatabase db)
      throws Exception {
    db.exec(
        TABLE,
        ROWS,
        "ALTER TABLE items ALTER COLUMN owner SET (n_distinct = 50)",
        "ALTER TABLE items ALTER COLUMN kind SET (n_distinct = -0.005, n_distinct_inherited = 7)",
        "ALTER TABLE items ALTER COLUMN owner SET STORAGE EXTERNAL",
        "ALTER TABLE items ALTER COLUMN kind SET COMPRESSION pglz");
    List<String> before = columnSettings(db);
    assertThat(before)
        .containsExactly(
            "owner options={n_distinct=50} storage=e compression=default",
            "kind options={n_distinct=-0.005,n_distinct_inherited=7} storage=x compression=p");
    Migration m = start(db);

    m.runTo(Action.Run, MigrationPhase.Completed);
    assertThat(columnSettings(db)).containsExactlyElementsOf(before);
    m.runTo(Action.Rollback, MigrationPhase.RolledBack);
    assertThat(columnSettings(db)).containsExactlyElementsOf(before);
  }

  @Test
  void extendedStatisticsAreOnTheLiveTableAfterCutoverAndRollback(TestDatabase db)
      throws Exception {
    db.exec(
        TABLE,
        ROWS,
        "CREATE STATISTICS items_owner_kind (dependencies, ndistinct) ON owner, kind FROM items",
        "CREATE STATISTICS items_lower_owner ON (lower(owner)) FROM items");
    List<String> before = statistics(db, "items");
    Migration m = start(db);

    m.runTo(Action.Run, MigrationPhase.Completed);
    assertThat(statistics(db, "items")).containsExactlyElementsOf(before);
    m.runTo(Action.Rollback, MigrationPhase.RolledBack);
    assertThat(statistics(db, "items")).containsExactlyElementsOf(before);
    assertThat(db.count("SELECT count(*) FROM pg_statistic_ext WHERE stxname LIKE '%ifl%'"))
        .isZero();
  }

  private static List<String> persistence(TestDatabase db) {
    return db.strings("SELECT relpersistence::text FROM pg_class WHERE oid = 'items'::regclass");
  }

  private static List<String> columnSettings(TestDatabase db) {
    return db.strings(
        "SELECT concat_ws(' ', attname, 'options=' || attoptions::text,"
            + " 'storage=' || attstorage::text,"
            + " 'compression=' || coalesce(nullif(attcompression::text, ''), 'default'))"
            + " FROM pg_attribute"
            + " WHERE attrelid = 'items'::regclass AND attnum > 0 AND NOT attisdropped"
            + " AND attname IN ('owner', 'kind') ORDER BY attnum");
  }

  private static List<String> statistics(TestDatabase db, String table) {
    return db.strings(
        "SELECT stxname || ' ' || pg_get_statisticsobjdef(oid) FROM pg_statistic_ext"
            + " WHERE stxrelid = '"
            + table
            + "'::regclass ORDER BY stxname");
  }

  private static Migration start(TestDatabase db) throws Exception {
    MigrationDocument doc =
        Migrations.document(
            "items-memo",
            "public.items",
            "- addColumn: {name: memo, type: text, default: \"'m'\"}",
            "backfill: {batchSize: 300}");
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord record = engine.submit(doc.metadata().name(), doc.spec());
    return new Migration(engine, record.id(), doc);
  }

  private record Migration(Engine engine, long id, MigrationDocument doc) {
    void runTo(Action action, MigrationPhase phase) throws Exception {
      StepResult result = Migrations.run(engine, id, doc.spec().withAction(action));
      assertThat(result.phase()).as(engine.get(id).failure()).isEqualTo(phase);
    }
  }
}
