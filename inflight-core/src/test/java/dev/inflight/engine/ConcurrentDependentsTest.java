package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Objects someone else creates on the live table while the migration syncs (a view, another table's
 * foreign key with ON DELETE CASCADE, a grant, a policy) are noticed under the swap's lock; the
 * attempt is given up, the swap planned again from the catalog, and the next attempt carries them:
 * after cut-over they are on the new table, after a rollback on the original, and finalize finds
 * nothing left on the archived table.
 */
@ExtendWith(PostgresExtension.class)
class ConcurrentDependentsTest {
  @Test
  void objectsCreatedWhileSyncingAreCarriedToTheNewTableAndFinalizeSucceeds(TestDatabase db)
      throws Exception {
    Migration m = startAndCreateObjectsWhileSyncing(db);

    m.runTo(m.doc.spec().withAction(Action.Run), MigrationPhase.Completed);
    assertThat(m.record().cutoverLastError())
        .contains("view recent_items")
        .contains("foreign key tags_item_fkey")
        .contains("planned again");
    assertThat(db.strings("SELECT attname FROM pg_attribute WHERE attrelid = 'items'::regclass"))
        .contains("memo");
    assertCarriedTo(db, 3000);

    m.runTo(m.doc.spec().withAction(Action.Finalize), MigrationPhase.Finalized);
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname = 'items__ifl_old'")).isZero();
    assertCarriedTo(db, 3001);
  }

  @Test
  void objectsCreatedWhileSyncingAreOnTheOriginalTableAfterARollback(TestDatabase db)
      throws Exception {
    Migration m = startAndCreateObjectsWhileSyncing(db);
    m.runTo(m.doc.spec().withAction(Action.Run), MigrationPhase.Completed);

    m.runTo(m.doc.spec().withAction(Action.Rollback), MigrationPhase.RolledBack);
    assertThat(db.strings("SELECT attname FROM pg_attribute WHERE attrelid = 'items'::regclass"))
        .doesNotContain("memo");
    assertCarriedTo(db, 4000);
  }

  @Test
  void statisticsTriggersRowSecurityAndPublicationsCreatedWhileSyncingAreCarried(TestDatabase db)
      throws Exception {
    Migration m = startAndCreateObjectsWhileSyncing(db);
    db.exec(
        "CREATE STATISTICS items_owner_id (dependencies) ON owner, id FROM items",
        "CREATE TABLE audit (id bigint, op text)",
        "CREATE FUNCTION audit_items() RETURNS trigger LANGUAGE plpgsql AS"
            + " $$ BEGIN INSERT INTO public.audit VALUES (NEW.id, TG_OP); RETURN NEW; END $$",
        "CREATE TRIGGER items_audit AFTER INSERT ON items FOR EACH ROW EXECUTE FUNCTION audit_items()",
        "ALTER TABLE items ENABLE ROW LEVEL SECURITY",
        "CREATE PUBLICATION items_pub FOR TABLE items");

    m.runTo(m.doc.spec().withAction(Action.Run), MigrationPhase.Completed);
    assertThat(
            db.strings(
                "SELECT pg_get_statisticsobjdef(oid) FROM pg_statistic_ext"
                    + " WHERE stxrelid = 'items'::regclass"))
        .containsExactly(
            "CREATE STATISTICS public.items_owner_id (dependencies) ON id, owner FROM items");
    db.exec("INSERT INTO items (id, owner) VALUES (5000, 'audited')");
    assertThat(db.count("SELECT count(*) FROM audit WHERE id = 5000")).isEqualTo(1);
    assertThat(
            db.strings("SELECT relrowsecurity::text FROM pg_class WHERE oid = 'items'::regclass"))
        .containsExactly("true");
    assertThat(
            db.strings(
                "SELECT pubname FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid"
                    + " WHERE r.prrelid = 'items'::regclass"))
        .containsExactly("items_pub");

    m.runTo(m.doc.spec().withAction(Action.Finalize), MigrationPhase.Finalized);
  }

  /**
   * The live table has the view, the grant, the policy and the child's cascading foreign key: a
   * child of a row inserted now is accepted, the cascade reaches it, the view reads the row.
   */
  private static void assertCarriedTo(TestDatabase db, long id) {
    db.exec(
        "INSERT INTO items (id, owner) VALUES (" + id + ", 'late')",
        "INSERT INTO tags VALUES (" + id + ", 'fresh')");
    assertThat(db.count("SELECT count(*) FROM recent_items WHERE id = " + id)).isEqualTo(1);
    assertThat(
            db.count(
                "SELECT count(*) FROM pg_depend WHERE refobjid = 'items'::regclass"
                    + " AND classid = 'pg_rewrite'::regclass"))
        .isPositive();
    assertThat(
            db.strings("SELECT has_table_privilege('" + reader(db) + "', 'items', 'SELECT')::text"))
        .containsExactly("true");
    assertThat(db.strings("SELECT polname FROM pg_policy WHERE polrelid = 'items'::regclass"))
        .containsExactly("readers_see_public");
    assertThat(
            db.strings(
                "SELECT confrelid::regclass::text FROM pg_constraint WHERE conname = 'tags_item_fkey'"))
        .containsExactly("items");
    db.exec("DELETE FROM items WHERE id IN (5, " + id + ")");
    assertThat(db.count("SELECT count(*) FROM tags WHERE item IN (5, " + id + ")")).isZero();
  }

  /** A role of this test's own: roles belong to the whole server. */
  private static String reader(TestDatabase db) {
    return "reader_" + db.url().replaceAll(".*/(t\\d+)_.*", "$1");
  }

  @Test
  void theTablesOwnSettingsChangedWhileSyncingAreOnTheLiveTableAfterCutoverAndRollback(
      TestDatabase db) throws Exception {
    Migration m =
        startAndSync(
            db,
            "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL,"
                + " CONSTRAINT owner_named CHECK (owner <> ''))",
            "CREATE UNIQUE INDEX items_owner_key ON items (owner)");
    db.exec(
        "COMMENT ON TABLE items IS 'what we sell'",
        "COMMENT ON COLUMN items.owner IS 'who sells it'",
        "COMMENT ON INDEX items_owner_key IS 'one item per owner'",
        "COMMENT ON CONSTRAINT items_pkey ON items IS 'the key'",
        "COMMENT ON CONSTRAINT owner_named ON items IS 'owners have names'",
        "ALTER TABLE items OWNER TO " + reader(db),
        "ALTER TABLE items REPLICA IDENTITY USING INDEX items_owner_key",
        "ALTER TABLE items SET (fillfactor = 70, autovacuum_enabled = false)",
        "ALTER TABLE items ALTER COLUMN owner SET (n_distinct = 50)",
        "ALTER TABLE items ALTER COLUMN owner SET STATISTICS 500",
        "ALTER TABLE items ALTER COLUMN owner SET STORAGE EXTERNAL",
        "ALTER TABLE items ALTER COLUMN owner SET COMPRESSION pglz");
    List<String> changed = ownSettings(db);
    assertThat(changed)
        .contains(
            "owner=" + reader(db), "fillfactor=70", "statistics=500", "storage=e", "compression=p");

    m.runTo(m.doc.spec().withAction(Action.Run), MigrationPhase.Completed);
    assertThat(m.record().cutoverLastError()).contains("planned again");
    assertThat(db.strings("SELECT attname FROM pg_attribute WHERE attrelid = 'items'::regclass"))
        .contains("memo");
    assertThat(ownSettings(db)).containsExactlyElementsOf(changed);

    m.runTo(m.doc.spec().withAction(Action.Rollback), MigrationPhase.RolledBack);
    assertThat(db.strings("SELECT attname FROM pg_attribute WHERE attrelid = 'items'::regclass"))
        .doesNotContain("memo");
    assertThat(ownSettings(db)).containsExactlyElementsOf(changed);
  }

  @Test
  void aTableMadeUnloggedWhileSyncingStopsTheSwapInsteadOfComingBackLogged(TestDatabase db)
      throws Exception {
    Migration m =
        startAndSync(db, "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL)");
    // The shadow was built logged, as the table was; a swap now would quietly undo this.
    db.exec("ALTER TABLE items SET UNLOGGED");

    StepResult result = Migrations.run(m.engine, m.id, m.doc.spec());
    assertThat(result.phase()).isEqualTo(MigrationPhase.Failed);
    assertThat(m.record().failure()).contains("+ persistence: u").contains("nothing was swapped");
    assertThat(
            db.strings("SELECT relpersistence::text FROM pg_class WHERE oid = 'items'::regclass"))
        .containsExactly("u");
    assertThat(db.strings("SELECT attname FROM pg_attribute WHERE attrelid = 'items'::regclass"))
        .doesNotContain("memo");
  }

  /**
   * The live table's owner, comments, storage parameters, replica identity and the options,
   * statistics target, storage and compression of its column {@code owner}.
   */
  private static List<String> ownSettings(TestDatabase db) {
    return db.strings(
        "SELECT unnest(ARRAY["
            + " 'owner=' || pg_get_userbyid(c.relowner),"
            + " 'comment=' || obj_description(c.oid, 'pg_class'),"
            + " 'replica identity=' || c.relreplident::text,"
            + " (SELECT 'replica index=' || i.indexrelid::regclass::text FROM pg_index i"
            + "   WHERE i.indrelid = c.oid AND i.indisreplident),"
            + " (SELECT 'index comment=' || obj_description('items_owner_key'::regclass, 'pg_class')),"
            + " (SELECT 'column comment=' || col_description(c.oid, a.attnum) FROM pg_attribute a"
            + "   WHERE a.attrelid = c.oid AND a.attname = 'owner'),"
            + " (SELECT 'options=' || a.attoptions::text FROM pg_attribute a"
            + "   WHERE a.attrelid = c.oid AND a.attname = 'owner'),"
            + " (SELECT 'statistics=' || a.attstattarget FROM pg_attribute a"
            + "   WHERE a.attrelid = c.oid AND a.attname = 'owner'),"
            + " (SELECT 'storage=' || a.attstorage::text FROM pg_attribute a"
            + "   WHERE a.attrelid = c.oid AND a.attname = 'owner'),"
            + " (SELECT 'compression=' || a.attcompression::text FROM pg_attribute a"
            + "   WHERE a.attrelid = c.oid AND a.attname = 'owner')]"
            + " || ARRAY(SELECT unnest(c.reloptions) ORDER BY 1)"
            + " || ARRAY(SELECT 'constraint comment ' || k.conname || '='"
            + "   || obj_description(k.oid, 'pg_constraint') FROM pg_constraint k"
            + "   WHERE k.conrelid = c.oid ORDER BY k.conname))"
            + " FROM pg_class c WHERE c.oid = 'items'::regclass");
  }

  private static Migration startAndCreateObjectsWhileSyncing(TestDatabase db) throws Exception {
    Migration m =
        startAndSync(db, "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL)");
    db.exec(
        "CREATE VIEW recent_items AS SELECT id, owner FROM items WHERE id > 900",
        "GRANT SELECT ON items TO " + reader(db),
        "CREATE POLICY readers_see_public ON items FOR SELECT TO "
            + reader(db)
            + " USING (owner <> 'secret')",
        "CREATE TABLE tags (item bigint REFERENCES items ON DELETE CASCADE, tag text)",
        "INSERT INTO tags VALUES (5, 'old')");
    return m;
  }

  /** Creates the table ({@code create}, then {@code more}) and migrates it up to Syncing. */
  private static Migration startAndSync(TestDatabase db, String create, String... more)
      throws Exception {
    db.exec(
        create,
        "INSERT INTO items SELECT g, 'o' || g FROM generate_series(1, 1000) g",
        "CREATE ROLE " + reader(db));
    db.exec(more);
    MigrationDocument doc =
        Migrations.document(
            "items-memo",
            "public.items",
            "- addColumn: {name: memo, type: text, default: \"'m'\"}",
            "backfill: {batchSize: 300}");
    Engine engine = Migrations.engine(db.dataSource(), Duration.ofMillis(1));
    MigrationRecord record = engine.submit(doc.metadata().name(), doc.spec());
    Migration m = new Migration(engine, record.id(), doc);
    for (int i = 0; i < 1000 && m.record().phase() != MigrationPhase.Syncing; i++) {
      engine.step(m.id, doc.spec());
    }
    assertThat(m.record().phase()).isEqualTo(MigrationPhase.Syncing);
    return m;
  }

  private record Migration(Engine engine, long id, MigrationDocument doc) {
    MigrationRecord record() throws Exception {
      return engine.get(id);
    }

    void runTo(dev.inflight.api.MigrationSpec spec, MigrationPhase phase) throws Exception {
      StepResult result = Migrations.run(engine, id, spec);
      assertThat(result.phase()).as(record().failure()).isEqualTo(phase);
    }
  }
}
