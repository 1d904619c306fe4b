package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.testing.DatabaseSnapshot;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.SteppedMigration;
import dev.inflight.testing.TestDatabase;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A partitioned table migrated with the same partitions: RANGE, LIST and HASH trees (the first two
 * with a default partition) go through apply, rollback, apply again and finalize while writers use
 * every path into the tree: inserts through the table, updates of the partition key that move rows
 * between partitions, inserts, updates and deletes that name a partition directly, a partition
 * truncated and refilled, and writes under {@code session_replication_role = replica}. Row for row,
 * the live table equals the other one at each swap; the partitions and their indexes keep their
 * names; and after the rollback the database is as it was, catalog and all.
 */
@Tag("pg15")
@ExtendWith(PostgresExtension.class)
class PartitionedMigrationTest {
  /** The three kinds of tree, each over {@code region} (0 to 5). */
  enum Tree {
    RANGE(
        "RANGE (region)",
        "CREATE TABLE ev_a PARTITION OF ev FOR VALUES FROM (0) TO (2)",
        "CREATE TABLE ev_b PARTITION OF ev FOR VALUES FROM (2) TO (4)",
        "CREATE TABLE ev_default PARTITION OF ev DEFAULT"),
    LIST(
        "LIST (region)",
        "CREATE TABLE ev_a PARTITION OF ev FOR VALUES IN (0, 1)",
        "CREATE TABLE ev_b PARTITION OF ev FOR VALUES IN (2, 3)",
        "CREATE TABLE ev_default PARTITION OF ev DEFAULT"),
    HASH(
        "HASH (region)",
        "CREATE TABLE ev_a PARTITION OF ev FOR VALUES WITH (MODULUS 3, REMAINDER 0)",
        "CREATE TABLE ev_b PARTITION OF ev FOR VALUES WITH (MODULUS 3, REMAINDER 1)",
        "CREATE TABLE ev_c PARTITION OF ev FOR VALUES WITH (MODULUS 3, REMAINDER 2)");

    final String key;
    final List<String> partitions;

    Tree(String key, String... partitions) {
      this.key = key;
      this.partitions = List.of(partitions);
    }

    void create(TestDatabase db) {
      db.exec(
          "CREATE TABLE ev (id bigint NOT NULL, region int NOT NULL, v text,"
              + " PRIMARY KEY (id, region)) PARTITION BY "
              + key);
      partitions.forEach(db::exec);
      db.exec(
          "CREATE INDEX ev_v ON ev (v)",
          "CREATE VIEW ev_view AS SELECT id, region, v FROM ev",
          "COMMENT ON TABLE ev_a IS 'the first partition'",
          "INSERT INTO ev SELECT g, g % 6, 'r' || g FROM generate_series(1, 3000) g");
    }
  }

  private static final String CHANGES =
      "- addColumn: {name: memo, type: text, default: \"'m'\"}\n"
          + "- createIndex: {name: ev_memo, columns: [memo]}";

  @ParameterizedTest
  @EnumSource(Tree.class)
  void aTreeIsMigratedRolledBackAndMigratedAgainWithEveryWriteOnTheLiveTable(
      Tree tree, TestDatabase db) throws Exception {
    tree.create(db);
    List<String> before = catalog(db);
    List<String> names = partitionNames(db);
    Writer writer = new Writer(db, 7);

    SteppedMigration m = SteppedMigration.start(db, "ev", CHANGES, "batchSize: 200");
    stepWithWrites(m, writer, 6);
    m.runToCompletion();
    assertThat(rows(db, "ev")).containsExactlyElementsOf(rows(db, "ev__ifl_old"));
    assertThat(partitionNames(db)).containsExactlyElementsOf(names);
    assertThat(db.strings("SELECT DISTINCT memo FROM ev")).containsExactly("m");
    assertThat(
            db.count(
                "SELECT count(*) FROM pg_index i JOIN pg_inherits h ON h.inhrelid = i.indrelid"
                    + " WHERE h.inhparent = 'ev'::regclass AND i.indexrelid::regclass::text LIKE '%ev_memo'"))
        .isEqualTo(tree.partitions.size());

    writer.write(20);
    writer.truncateAndRefill();
    writer.write(20);
    List<String> live = rows(db, "ev");
    StepResult back =
        Migrations.run(m.engine(), m.id(), Migrations.withAction(m.doc().spec(), Action.Rollback));
    assertThat(back.phase()).as(m.record().failure()).isEqualTo(MigrationPhase.RolledBack);
    assertThat(rows(db, "ev")).containsExactlyElementsOf(live);
    assertThat(partitionNames(db)).containsExactlyElementsOf(names);
    assertThat(withoutRows(catalog(db))).containsExactlyElementsOf(withoutRows(before));

    SteppedMigration again = SteppedMigration.start(db, "ev", CHANGES, "batchSize: 500");
    stepWithWrites(again, writer, 3);
    again.runToCompletion();
    assertThat(rows(db, "ev")).containsExactlyElementsOf(rows(db, "ev__ifl_old"));
    StepResult done =
        Migrations.run(
            again.engine(), again.id(), Migrations.withAction(again.doc().spec(), Action.Finalize));
    assertThat(done.phase()).as(again.record().failure()).isEqualTo(MigrationPhase.Finalized);
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname LIKE '%ifl%'")).isZero();
    assertThat(partitionNames(db)).containsExactlyElementsOf(names);
    assertThat(db.count("SELECT count(*) FROM ev_view"))
        .isEqualTo(db.count("SELECT count(*) FROM ev"));
  }

  @Test
  void aPartitionCreatedDuringTheMigrationStopsTheSwapWithTheOriginalIntact(TestDatabase db)
      throws Exception {
    Tree.RANGE.create(db);
    SteppedMigration m = SteppedMigration.start(db, "ev", CHANGES, "batchSize: 200");
    m.stepUntil(r -> r.phase() == MigrationPhase.Backfilling);
    // Empty, so the copy's verification sees no difference: the swap's check of the tree does.
    db.exec("CREATE TABLE ev_late PARTITION OF ev FOR VALUES FROM (10) TO (20)");

    StepResult r = m.run();

    assertThat(r.phase()).isEqualTo(MigrationPhase.Failed);
    assertThat(m.record().failure()).contains("+ partition ev_late: FOR VALUES FROM (10) TO (20)");
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname = 'ev__ifl_old'")).isZero();
    db.exec("INSERT INTO ev VALUES (900000, 15, 'late')");
    assertThat(db.strings("SELECT tableoid::regclass::text FROM ev WHERE id = 900000"))
        .containsExactly("ev_late");
  }

  /** Steps up to the cut-over with {@code statements} writes after each step. */
  private static void stepWithWrites(SteppedMigration m, Writer writer, int statements)
      throws Exception {
    m.stepUntil(
        r -> {
          if (r.phase() == MigrationPhase.Completed) {
            return true;
          }
          writer.write(statements);
          return r.phase() == MigrationPhase.CuttingOver;
        });
  }

  /** The application: every way of writing into the tree, drawn from a seeded generator. */
  private static final class Writer {
    private final TestDatabase db;
    private final Random random;
    private long nextId = 100_000;
    private int round;

    Writer(TestDatabase db, long seed) {
      this.db = db;
      this.random = new Random(seed);
    }

    void write(int statements) {
      for (int i = 0; i < statements; i++) {
        int region = random.nextInt(6);
        long id = 1 + random.nextInt(3000);
        switch (random.nextInt(7)) {
          case 0 -> db.exec("INSERT INTO ev VALUES (" + nextId++ + ", " + region + ", 'root')");
          case 1 ->
              // Moves the row to the partition of its new region.
              db.exec("UPDATE ev SET region = " + region + ", v = 'moved' WHERE id = " + id);
          case 2 -> {
            String leaf = leafOf(id);
            if (leaf != null) {
              db.exec(
                  "INSERT INTO "
                      + leaf
                      + " SELECT "
                      + nextId++
                      + ", region, 'direct' FROM ev WHERE id = "
                      + id);
            }
          }
          case 3 -> {
            String leaf = leafOf(id);
            if (leaf != null) {
              db.exec("UPDATE " + leaf + " SET v = 'leaf " + round + "' WHERE id = " + id);
            }
          }
          case 4 -> {
            String leaf = leafOf(id);
            if (leaf != null) {
              db.exec("DELETE FROM " + leaf + " WHERE id = " + id);
            }
          }
          case 5 ->
              db.exec(
                  "BEGIN",
                  "SET LOCAL session_replication_role = replica",
                  "UPDATE ev_b SET v = 'replica' WHERE id % 97 = " + random.nextInt(97),
                  "COMMIT");
          default ->
              db.exec(
                  "DELETE FROM ev WHERE id = " + id,
                  "INSERT INTO ev VALUES (" + id + ", " + region + ", 'reinserted')");
        }
      }
      if (round % 8 == 2) {
        truncateAndRefill();
      }
      round++;
    }

    /** A partition emptied and refilled: the other partitions keep their rows. */
    void truncateAndRefill() {
      db.exec(
          "TRUNCATE ev_a",
          "INSERT INTO ev SELECT g, g % 2, 'refill' FROM generate_series("
              + nextId
              + ", "
              + (nextId + 49)
              + ") g");
      nextId += 50;
    }

    private String leafOf(long id) {
      List<String> leaf = db.strings("SELECT tableoid::regclass::text FROM ev WHERE id = " + id);
      return leaf.isEmpty() ? null : leaf.get(0);
    }
  }

  /** Every row with the partition it is in, named as on the live table. */
  private static List<String> rows(TestDatabase db, String table) {
    return db.strings(
        "SELECT id || ' ' || region || ' ' || coalesce(v, 'null') || ' '"
            + " || regexp_replace(tableoid::regclass::text, '__ifl_old$', '') FROM "
            + table
            + " ORDER BY id, region");
  }

  /** Each partition with its bound and its indexes, but for the one the changes add. */
  private static List<String> partitionNames(TestDatabase db) {
    return db.strings(
        "SELECT c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid)"
            + " || ' indexes ' || coalesce((SELECT string_agg(ic.relname, ',' ORDER BY ic.relname)"
            + "   FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid"
            + "   AND ic.relname NOT LIKE '%memo%'), '')"
            + " FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid"
            + " WHERE h.inhparent = 'public.ev'::regclass ORDER BY 1");
  }

  /**
   * The database as {@link DatabaseSnapshot} reads it, without the engine's own schema and the
   * TOAST tables (its ledger's among them).
   */
  private static List<String> catalog(TestDatabase db) {
    return DatabaseSnapshot.take(db).stream()
        .filter(l -> !l.contains("inflight") && !l.contains("pg_toast"))
        .toList();
  }

  /** The catalog lines alone: rows change with the writers. */
  private static List<String> withoutRows(List<String> snapshot) {
    return snapshot.stream().filter(l -> !l.startsWith("rows: ")).toList();
  }
}
