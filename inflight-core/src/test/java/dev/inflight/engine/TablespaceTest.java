package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.MigrationDocument;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A migration changes what its spec says and nothing else: a table kept in a tablespace of its own
 * (another disk, say) is still there after the swap, with its indexes.
 */
@ExtendWith(PostgresExtension.class)
class TablespaceTest {
  @Test
  void theTableAndItsIndexesKeepTheirTablespaceAcrossTheSwap(TestDatabase db, @TempDir Path dir)
      throws Exception {
    String ts = "ifl_test_" + Long.toHexString(System.nanoTime());
    db.exec("CREATE TABLESPACE " + ts + " LOCATION '" + dir + "'");
    try {
      db.exec(
          "CREATE TABLE items (id bigint PRIMARY KEY USING INDEX TABLESPACE "
              + ts
              + ", owner text NOT NULL, balance integer NOT NULL) TABLESPACE "
              + ts,
          "CREATE INDEX items_owner ON items (owner) TABLESPACE " + ts,
          "INSERT INTO items SELECT g, 'o' || (g % 7), g FROM generate_series(1, 1000) g");
      MigrationDocument doc =
          Migrations.document(
              "items-memo",
              "public.items",
              "- addColumn: {name: memo, type: text, default: \"'x'\"}",
              "rollback: {retainFor: 0s}");
      Engine engine = Migrations.engine(db.dataSource());
      MigrationRecord m = engine.submit(doc.metadata().name(), doc.spec());
      assertThat(Migrations.run(engine, m.id(), doc.spec()).phase())
          .isIn(MigrationPhase.Completed, MigrationPhase.Finalized);

      assertThat(
              db.strings(
                  "SELECT c.relname || ' in ' || coalesce(t.spcname, 'the default tablespace')"
                      + " FROM pg_class c LEFT JOIN pg_tablespace t ON t.oid = c.reltablespace"
                      + " WHERE c.relname IN ('items', 'items_pkey', 'items_owner') ORDER BY 1"))
          .containsExactly("items in " + ts, "items_owner in " + ts, "items_pkey in " + ts);
    } finally {
      db.exec("DROP TABLE IF EXISTS items CASCADE");
      db.exec(
          "DO $$ DECLARE r record; BEGIN FOR r IN SELECT c.oid::regclass AS t FROM pg_class c"
              + " JOIN pg_tablespace s ON s.oid = c.reltablespace WHERE s.spcname = '"
              + ts
              + "' AND c.relkind = 'r' LOOP EXECUTE 'DROP TABLE ' || r.t || ' CASCADE'; END LOOP; END $$");
      db.exec("DROP TABLESPACE " + ts);
    }
  }
}
