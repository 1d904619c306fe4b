package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.inflight.api.MigrationDocument;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The copy in key ranges: several workers on their own sessions, ranges cut where the keys are,
 * each batch committed with its range's cursor, the key and indexes built afterwards, and the
 * result byte for byte the original under concurrent writes, whatever happens to a worker.
 */
@ExtendWith(PostgresExtension.class)
class ParallelCopyTest {
  private static final String CHANGE = "- addColumn: {name: note, type: text, default: \"'n'\"}\n";

  /**
   * A table keyed by (region text, id bigint) with most rows in two regions and ids far apart: no
   * dense integer range to split by.
   */
  private static void skewedTable(TestDatabase db, String name, int rows) {
    db.exec(
        "CREATE TABLE "
            + name
            + " (region text NOT NULL, id bigint NOT NULL, body text NOT NULL, n integer NOT NULL,"
            + " PRIMARY KEY (region, id))",
        "CREATE INDEX " + name + "_n ON " + name + " (n)",
        "CREATE INDEX " + name + "_id ON " + name + " (id)",
        "CREATE UNIQUE INDEX " + name + "_body ON " + name + " (body)",
        "INSERT INTO "
            + name
            + " SELECT CASE WHEN g % 10 < 6 THEN 'eu' WHEN g % 10 < 9 THEN 'us' ELSE 'r' || (g % 97)"
            + " END, g::bigint * 1000003, 'row ' || g, g % 1000 FROM generate_series(1, "
            + rows
            + ") g",
        "ANALYZE " + name);
  }

  /** Writes to the table and to an oracle copy of it in the same transactions, until stopped. */
  private static final class Writer implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong writes = new AtomicLong();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> done;

    Writer(TestDatabase db, String table, int rows) {
      done =
          CompletableFuture.runAsync(
              () -> {
                RandomGenerator random = RandomGenerator.of("L64X128MixRandom");
                long next = rows + 1;
                try (Connection c = db.dataSource().getConnection()) {
                  while (!stop.get()) {
                    long id = (1 + random.nextLong(rows)) * 1000003;
                    int op = random.nextInt(4);
                    c.setAutoCommit(false);
                    // The same change to both tables, in one transaction.
                    for (String t : List.of(table, table + "_oracle")) {
                      switch (op) {
                        case 0 ->
                            exec(
                                c,
                                "INSERT INTO "
                                    + t
                                    + " VALUES ('new', ?, 'new ' || ?, 1) ON CONFLICT DO NOTHING",
                                next,
                                next);
                        case 1 -> exec(c, "UPDATE " + t + " SET n = n + 1 WHERE id = ?", id);
                        case 2 ->
                            // A key update: the row moves to another region, another range.
                            exec(c, "UPDATE " + t + " SET region = 'moved' WHERE id = ?", id);
                        default -> exec(c, "DELETE FROM " + t + " WHERE id = ?", id);
                      }
                    }
                    c.commit();
                    next++;
                    writes.incrementAndGet();
                  }
                } catch (SQLException | RuntimeException e) {
                  failures.add(e);
                }
              });
    }

    private static void exec(Connection c, String sql, long... values) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < values.length; i++) {
          ps.setLong(i + 1, values[i]);
        }
        ps.executeUpdate();
      } catch (SQLException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      stop.set(true);
      done.join();
    }
  }

  @Test
  void fourWorkersCopyRangesCutWhereTheKeysAreAndTheResultIsTheOriginalUnderWrites(TestDatabase db)
      throws Exception {
    skewedTable(db, "orders", 120_000);
    db.exec(
        "CREATE TABLE orders_oracle AS TABLE orders",
        "CREATE INDEX orders_oracle_id ON orders_oracle (id)");
    MigrationDocument doc =
        Migrations.document(
            "orders-note",
            "public.orders",
            CHANGE,
            "backfill: {parallelism: 4, batchSize: 2000, targetBatchTime: 50ms}\n");
    Engine engine = Migrations.engine(db.dataSource(), Duration.ofMillis(300));
    MigrationRecord m = engine.submit("orders-note", doc.spec());
    List<String> messages = new ArrayList<>();
    StepResult r;
    try (Writer writer = new Writer(db, "orders", 120_000)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> writer.writes.get() > 0);
      r = Migrations.run(engine, m.id(), doc.spec(), s -> messages.add(s.toString()));
      assertThat(writer.failures).isEmpty();
      assertThat(writer.writes.get()).isGreaterThan(100);
    }
    assertThat(r.phase()).as(String.join("\n", messages)).isEqualTo(MigrationPhase.Completed);
    assertThat(messages).anyMatch(s -> s.contains("4 workers"));

    List<Map<String, Object>> ranges =
        db.rows(
            "SELECT range_no, rows_copied, copied, verified FROM inflight.copy_ranges"
                + " WHERE migration_id = ? ORDER BY range_no",
            m.id());
    assertThat(ranges).hasSizeGreaterThanOrEqualTo(8);
    assertThat(ranges).allSatisfy(x -> assertThat(x).containsEntry("copied", true));
    assertThat(ranges).allSatisfy(x -> assertThat(x).containsEntry("verified", true));
    long average = 120_000 / ranges.size();
    assertThat(ranges)
        .as("ranges hold about as many rows each, though the keys are text and sparse")
        .allSatisfy(x -> assertThat((Long) x.get("rows_copied")).isLessThan(average * 3));

    assertThat(
            db.count(
                "SELECT count(*) FROM ((SELECT region, id, body, n FROM orders EXCEPT ALL"
                    + " SELECT * FROM orders_oracle) UNION ALL (SELECT * FROM orders_oracle"
                    + " EXCEPT ALL SELECT region, id, body, n FROM orders)) d"))
        .as("no lost and no ghost rows")
        .isZero();
    assertThat(db.count("SELECT count(*) FROM orders WHERE note IS DISTINCT FROM 'n'")).isZero();
    assertThat(
            db.strings(
                "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'orders'::regclass"
                    + " ORDER BY 1"))
        .containsExactly("orders_body", "orders_id", "orders_n", "orders_pkey");
    assertThat(
            db.strings(
                "SELECT contype::text FROM pg_constraint WHERE conrelid = 'orders'::regclass"
                    + " AND conname = 'orders_pkey'"))
        .containsExactly("p");
  }

  @Test
  void aWorkerKilledInsideABatchLosesNothingAndTheMigrationResumes(TestDatabase db)
      throws Exception {
    skewedTable(db, "items", 80_000);
    MigrationDocument doc =
        Migrations.document(
            "items-note",
            "public.items",
            CHANGE,
            "backfill: {parallelism: 3, batchSize: 500, targetBatchTime: 20ms}\n");
    Engine engine = Migrations.engine(db.dataSource(), Duration.ofMillis(300));
    MigrationRecord m = engine.submit("items-note", doc.spec());
    AtomicInteger killed = new AtomicInteger();
    CompletableFuture<StepResult> run =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return Migrations.run(engine, m.id(), doc.spec());
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    // Terminates a session in the middle of a copy batch, as a crash or an administrator would.
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(2))
        .until(
            () -> {
              if (run.isDone()) {
                return true;
              }
              long n =
                  db.count(
                      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                          + " WHERE state = 'active' AND query LIKE 'WITH src AS (SELECT * FROM%'"
                          + " AND datname = current_database() AND pid <> pg_backend_pid()");
              killed.addAndGet((int) n);
              return killed.get() > 0;
            });
    StepResult r = run.get();
    assertThat(killed.get()).as("a batch was interrupted").isPositive();
    assertThat(r.phase()).isEqualTo(MigrationPhase.Completed);
    assertThat(db.count("SELECT count(*) FROM items")).isEqualTo(80_000);
    assertThat(
            db.count(
                "SELECT count(DISTINCT (region, id)) FROM items WHERE body = 'row ' || (id / 1000003)"))
        .isEqualTo(80_000);
    assertThat(engine.get(m.id()).rowsCopied())
        .as("the interrupted batch was rolled back with its cursor and counted once")
        .isEqualTo(80_000);
  }

  @Test
  void maxRowsPerSecondLimitsTheSumOfTheWorkers(TestDatabase db) throws Exception {
    skewedTable(db, "slow", 60_000);
    MigrationDocument doc =
        Migrations.document(
            "slow-note",
            "public.slow",
            CHANGE,
            "backfill: {parallelism: 4, batchSize: 1000, maxRowsPerSecond: 30000}\n");
    Engine engine = Migrations.engine(db.dataSource(), Duration.ofMillis(300));
    MigrationRecord m = engine.submit("slow-note", doc.spec());
    assertThat(Migrations.run(engine, m.id(), doc.spec()).phase())
        .isEqualTo(MigrationPhase.Completed);
    // 60,000 rows at 30,000 rows/s take two seconds whatever the number of workers.
    assertThat(
            db.count(
                "SELECT (phase_millis ->> 'Backfilling')::bigint FROM inflight.migrations"
                    + " WHERE id = ?",
                m.id()))
        .isGreaterThanOrEqualTo(1_600);
    assertThat(db.count("SELECT count(*) FROM slow")).isEqualTo(60_000);
  }

  /** Steps {@code engine} until {@code done}, at most a thousand times. */
  private static void stepUntil(Engine engine, long id, MigrationDocument doc, Check done)
      throws Exception {
    for (int i = 0; i < 1000; i++) {
      engine.step(id, doc.spec());
      if (done.test(engine.get(id))) {
        return;
      }
    }
    throw new AssertionError("not reached in 1000 steps");
  }

  private interface Check {
    boolean test(MigrationRecord m) throws Exception;
  }

  /**
   * A row copied, then deleted, and another inserted whose key sorts after the copy's position and
   * equals the first one's under the new key's type: both are in the heap when the key is built,
   * and neither may stand in its way, since replay re-reads both.
   */
  @Test
  void aKeyThatChangedDuringTheCopyDoesNotCollideWhenTheKeyIsBuilt(TestDatabase db)
      throws Exception {
    db.exec(
        "CREATE EXTENSION IF NOT EXISTS citext",
        "CREATE TABLE codes (code text COLLATE \"C\" PRIMARY KEY, n integer NOT NULL)",
        // Upper case sorts before lower case under C: the upper-case keys are copied first.
        "INSERT INTO codes SELECT 'K' || lpad(g::text, 5, '0'), g FROM generate_series(1, 3000) g",
        "INSERT INTO codes VALUES ('zzzz', 0)");
    MigrationDocument doc =
        Migrations.document(
            "codes-ci",
            "public.codes",
            "- alterColumnType: {column: code, type: citext}\n",
            "backfill: {parallelism: 1, batchSize: 100}\nrollback: {retainFor: \"0\"}\n");
    Engine engine = Migrations.engine(db.dataSource(), Duration.ofMillis(1));
    MigrationRecord m = engine.submit("codes-ci", doc.spec());
    stepUntil(engine, m.id(), doc, r -> r.rowsCopied() >= 100);
    assertThat(engine.get(m.id()).backfillDone()).isFalse();
    db.exec("DELETE FROM codes WHERE code = 'K00050'", "INSERT INTO codes VALUES ('k00050', -1)");

    StepResult r = Migrations.run(engine, m.id(), doc.spec());
    assertThat(r.phase()).as(engine.get(m.id()).failure()).isEqualTo(MigrationPhase.Finalized);
    assertThat(db.strings("SELECT code::text || '=' || n FROM codes WHERE code = 'K00050'"))
        .containsExactly("k00050=-1");
    assertThat(db.count("SELECT count(*) FROM codes")).isEqualTo(3001);
  }

  /**
   * A unique value handed from one row to another while the copy runs: the heap holds it twice
   * until replay, and the unique index is built only once the copy's changes are replayed.
   */
  @Test
  void aUniqueValueMovedBetweenRowsDuringTheCopyDoesNotFailItsIndex(TestDatabase db)
      throws Exception {
    db.exec(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE)",
        "INSERT INTO users SELECT g, 'u' || g || '@x' FROM generate_series(1, 6000) g");
    MigrationDocument doc =
        Migrations.document(
            "users-note", "public.users", CHANGE, "backfill: {parallelism: 1, batchSize: 100}\n");
    Engine engine = Migrations.engine(db.dataSource(), Duration.ofMillis(1));
    MigrationRecord m = engine.submit("users-note", doc.spec());
    stepUntil(engine, m.id(), doc, r -> r.rowsCopied() >= 100);
    // Row 50 (copied) gives its address to row 5000 (not copied yet), and takes another.
    db.exec(
        "BEGIN",
        "UPDATE users SET email = 'moved@x' WHERE id = 50",
        "UPDATE users SET email = 'u50@x' WHERE id = 5000",
        "COMMIT");

    StepResult r = Migrations.run(engine, m.id(), doc.spec());
    assertThat(r.phase()).as(engine.get(m.id()).failure()).isEqualTo(MigrationPhase.Completed);
    assertThat(
            db.strings("SELECT id || ' ' || email FROM users WHERE id IN (50, 5000) ORDER BY id"))
        .containsExactly("50 moved@x", "5000 u50@x");
    assertThat(engine.verify(m.id()).differences()).isEmpty();
  }

  /**
   * A process that stops in the middle of the copy and of the verification: another engine (as a
   * restarted operator is) carries on from the ranges in the ledger, and a TRUNCATE in the middle
   * of the copy leaves only what was written after it.
   */
  @Test
  void anotherProcessResumesTheRangesAndATruncateDuringTheCopyIsCarried(TestDatabase db)
      throws Exception {
    skewedTable(db, "events", 90_000);
    MigrationDocument doc =
        Migrations.document(
            "events-note",
            "public.events",
            CHANGE,
            "backfill: {parallelism: 3, batchSize: 500, targetBatchTime: 20ms}\n");
    Engine first = Migrations.engine(db.dataSource(), Duration.ofMillis(50));
    MigrationRecord m = first.submit("events-note", doc.spec());
    stepUntil(first, m.id(), doc, r -> r.rowsCopied() >= 20_000);
    assertThat(first.get(m.id()).backfillDone()).isFalse();

    Engine second = Migrations.engine(db.dataSource(), Duration.ofMillis(50));
    stepUntil(second, m.id(), doc, r -> r.rowsCopied() >= 50_000);
    db.exec(
        "TRUNCATE events",
        "INSERT INTO events SELECT 'after', g, 'after ' || g, 7 FROM generate_series(1, 500) g");
    stepUntil(second, m.id(), doc, r -> r.rowsVerified() > 0);
    assertThat(second.get(m.id()).phase()).isEqualTo(MigrationPhase.Syncing);

    Engine third = Migrations.engine(db.dataSource(), Duration.ofMillis(50));
    StepResult r = Migrations.run(third, m.id(), doc.spec());
    assertThat(r.phase()).as(third.get(m.id()).failure()).isEqualTo(MigrationPhase.Completed);
    assertThat(db.count("SELECT count(*) FROM events")).isEqualTo(500);
    assertThat(db.count("SELECT count(*) FROM events WHERE region = 'after' AND note = 'n'"))
        .isEqualTo(500);
  }
}
