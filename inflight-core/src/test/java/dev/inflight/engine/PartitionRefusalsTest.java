package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;
import static org.awaitility.Awaitility.await;

import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Partitioned tables, partitions and inheritance trees are refused at Planning with one reason per
 * thing to fix, the tree described as Planning saw it, and nothing created.
 */
@ExtendWith(PostgresExtension.class)
@Tag("pg15")
class PartitionRefusalsTest {
  private static List<String> refusal(TestDatabase db, String table) {
    PlanRejectedException e =
        catchThrowableOfType(
            () ->
                Migrations.engine(db.dataSource())
                    .plan(
                        Migrations.document(
                                "refused", table, "- addColumn: {name: memo, type: text}", null)
                            .spec()),
            PlanRejectedException.class);
    assertThat(e).as("planning %s was refused", table).isNotNull();
    assertThat(
            db.strings("SELECT count(*)::text FROM pg_class WHERE relname LIKE '%\\_\\_ifl\\_%'"))
        .as("nothing created")
        .containsExactly("0");
    return e.reasons();
  }

  private static void rangeTree(TestDatabase db) {
    db.exec(
        "CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, PRIMARY KEY (id, at))"
            + " PARTITION BY RANGE (at)",
        "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
        "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
        "CREATE TABLE events_default PARTITION OF events DEFAULT",
        "INSERT INTO events SELECT g, date '2024-01-01' + (g % 800) FROM generate_series(1, 3000) g",
        "ANALYZE events");
  }

  @Test
  void objectsOfASinglePartitionAreNamedAndTheTreeDescribed(TestDatabase db) {
    rangeTree(db);
    db.exec(
        "CREATE INDEX events_2024_at ON events_2024 (at)",
        "ALTER TABLE events_2025 ADD CONSTRAINT recent CHECK (id > 0)",
        "CREATE VIEW events_2024_view AS SELECT * FROM events_2024",
        "ALTER TABLE events_default ALTER COLUMN at SET DEFAULT date '2030-01-01'");
    String carriedNot =
        "; objects of a single partition are not carried to the new table yet: create it on the"
            + " partitioned table instead, or drop it for the migration";
    assertThat(refusal(db, "public.events"))
        .containsExactly(
            "public.events: partition events_2024 has its own index events_2024_at: CREATE INDEX"
                + " events_2024_at ON public.events_2024 USING btree (at)"
                + carriedNot,
            "public.events: partition events_2024 is used by events_2024_view" + carriedNot,
            "public.events: partition events_2025 has its own constraint recent: CHECK ((id > 0))"
                + carriedNot,
            "public.events: partition events_default has its own default on column at" + carriedNot,
            "public.events is partitioned by RANGE (at) into 3 partitions (events_2024,"
                + " events_2025, events_default: DEFAULT), about 3000 rows");
  }

  @Test
  void aPartitionedTableWithOnlyTheTablesOwnObjectsIsPlanned(TestDatabase db) throws Exception {
    rangeTree(db);
    db.exec("CREATE INDEX events_at ON events (at)", "COMMENT ON TABLE events_2024 IS 'old'");
    assertThat(
            Migrations.engine(db.dataSource())
                .plan(
                    Migrations.document(
                            "planned",
                            "public.events",
                            "- addColumn: {name: memo, type: text}",
                            null)
                        .spec())
                .display())
        .contains(
            "CREATE TABLE \"public\".\"events_2024__ifl_new\" PARTITION OF"
                + " \"public\".\"events__ifl_new\" FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
            "ALTER TABLE \"public\".\"events_2024\" RENAME TO \"events_2024__ifl_old\"",
            "ALTER TABLE \"public\".\"events_2024__ifl_new\" RENAME TO \"events_2024\"");
  }

  @Test
  void aPartitionIsRefusedNamingItsTree(TestDatabase db) {
    rangeTree(db);
    assertThat(refusal(db, "public.events_2024"))
        .containsExactly(
            "public.events_2024 is a partition of public.events; a partition cannot be swapped out"
                + " of its tree on its own: name the partitioned table, public.events, in the"
                + " migration");
  }

  @Test
  void bothSidesOfLegacyInheritanceAreRefusedNamingTheOtherSide(TestDatabase db) {
    db.exec(
        "CREATE TABLE base_items (id bigint PRIMARY KEY)",
        "CREATE TABLE special_items (extra text) INHERITS (base_items)",
        "ALTER TABLE special_items ADD PRIMARY KEY (id)");
    assertThat(refusal(db, "public.base_items"))
        .singleElement(STRING)
        .startsWith("public.base_items is inherited by public.special_items (table inheritance");
    assertThat(refusal(db, "public.special_items"))
        .singleElement(STRING)
        .startsWith("public.special_items inherits from public.base_items (table inheritance");
  }

  @Test
  void aForeignPartitionAnExpressionKeyAndDeepSubPartitionsEachHaveAReason(TestDatabase db) {
    db.exec(
        "CREATE FOREIGN DATA WRAPPER elsewhere",
        "CREATE SERVER archive FOREIGN DATA WRAPPER elsewhere",
        "CREATE TABLE readings (id bigint NOT NULL, site int NOT NULL, at date NOT NULL)"
            + " PARTITION BY LIST (site)",
        "CREATE FOREIGN TABLE readings_old PARTITION OF readings FOR VALUES IN (0) SERVER archive",
        "CREATE TABLE readings_1 PARTITION OF readings FOR VALUES IN (1) PARTITION BY RANGE (at)",
        "CREATE TABLE readings_1_2024 PARTITION OF readings_1"
            + " FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY HASH (id)",
        "CREATE TABLE readings_1_2024_h0 PARTITION OF readings_1_2024"
            + " FOR VALUES WITH (MODULUS 2, REMAINDER 0)",
        "CREATE TABLE readings_2 PARTITION OF readings FOR VALUES IN (2)"
            + " PARTITION BY RANGE ((at - date '2000-01-01'))",
        "CREATE TABLE readings_2_all PARTITION OF readings_2 FOR VALUES FROM (0) TO (100000)");
    assertThat(refusal(db, "public.readings"))
        .contains(
            "public.readings: partition public.readings_old is a foreign table (server archive);"
                + " its rows live on another server and can be neither copied nor captured",
            "public.readings: partition public.readings_1_2024 is partitioned too, at level 2"
                + " (HASH (id)); at most one level of sub-partitioning is supported",
            "public.readings: partition public.readings_1 is partitioned too (RANGE (at));"
                + " migrating a sub-partitioned table is not supported yet",
            "public.readings: partition public.readings_2 is partitioned by an expression (RANGE"
                + " (((at - '2000-01-01'::date)))); only partition keys of plain columns are"
                + " supported")
        .anySatisfy(r -> assertThat(r).startsWith("public.readings has no primary key"))
        .last(STRING)
        .startsWith(
            "public.readings is partitioned by LIST (site) into 3 partitions (readings_1: RANGE"
                + " (at), readings_2: RANGE (((at - '2000-01-01'::date))), readings_old), with 3"
                + " sub-partitions");
  }

  @Test
  void aHalfDetachedPartitionIsRefusedWithTheStatementThatFinishesIt(TestDatabase db)
      throws Exception {
    // DETACH ... CONCURRENTLY is refused in a tree with a default partition.
    db.exec(
        "CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, PRIMARY KEY (id, at))"
            + " PARTITION BY RANGE (at)",
        "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
        "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')");
    try (Connection reader = db.dataSource().getConnection();
        Connection detacher = db.dataSource().getConnection()) {
      // An open snapshot makes DETACH ... CONCURRENTLY wait in its second transaction; cancelling
      // it there leaves the partition half detached, as an interrupted detach does.
      reader.setAutoCommit(false);
      try (Statement s = reader.createStatement()) {
        s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        s.executeQuery("SELECT count(*) FROM events").close();
      }
      long pid;
      try (Statement s = detacher.createStatement();
          var rs = s.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        pid = rs.getLong(1);
      }
      CompletableFuture<Void> detach =
          CompletableFuture.runAsync(
              () -> {
                try (Statement s = detacher.createStatement()) {
                  s.execute("ALTER TABLE events DETACH PARTITION events_2025 CONCURRENTLY");
                } catch (SQLException e) {
                  if (!"57014".equals(e.getSQLState())) {
                    throw new IllegalStateException(e);
                  }
                }
              });
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  db.count(
                          "SELECT count(*) FROM pg_inherits WHERE inhdetachpending"
                              + " AND inhrelid = 'events_2025'::regclass")
                      == 1);
      db.scalar("SELECT pg_cancel_backend(?::int)", pid);
      detach.get();
      reader.rollback();
    }
    assertThat(refusal(db, "public.events"))
        .contains(
            "public.events: partition public.events_2025 is half detached (an interrupted DETACH"
                + " PARTITION ... CONCURRENTLY); finish it first with ALTER TABLE public.events"
                + " DETACH PARTITION public.events_2025 FINALIZE");
  }
}
