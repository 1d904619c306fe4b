package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.engine.ledger.AdvisoryLocks;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.engine.plan.Plan;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import dev.inflight.workload.OracleWorkload;
import dev.inflight.workload.OracleWorkload.Row;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Invariant 2: under concurrent inserts, updates (including primary-key changes) and deletes in
 * every phase, the live table after cut-over is exactly the application's writes with the change
 * applied, and after rollback exactly its writes in the original shape; invariant 1: no application
 * statement fails.
 */
@Tag("pg15")
@ExtendWith(PostgresExtension.class)
class ConcurrencyTest {
  private static final int INITIAL = 40_000;

  @Test
  void concurrentWritesInEveryPhaseAreNeitherLostNorDuplicated(TestDatabase db) throws Exception {
    db.exec(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, balance integer NOT NULL,"
            + " flag integer NOT NULL DEFAULT 0, note text)",
        "CREATE INDEX accounts_owner ON accounts (owner)",
        "INSERT INTO accounts SELECT g, 'o' || (g % 97), g % 1000, g % 2, CASE WHEN g % 5 = 0 THEN NULL ELSE 'n' || g END"
            + " FROM generate_series(1, "
            + INITIAL
            + ") g");
    List<Row> initial = new ArrayList<>();
    for (int g = 1; g <= INITIAL; g++) {
      initial.add(new Row(g, "o" + (g % 97), g % 1000, g % 2, g % 5 == 0 ? null : "n" + g));
    }
    MigrationDocument doc =
        Migrations.document(
            "accounts-reshape",
            "public.accounts",
            """
            - addColumn: {name: memo, type: text, default: "'x'"}
            - alterColumnType: {column: flag, type: boolean, using: "flag <> 0", reverseUsing: "CASE WHEN flag THEN 1 ELSE 0 END"}
            - renameColumn: {from: note, to: remark}
            - createIndex: {name: accounts_balance, columns: [balance]}
            - dropIndex: {name: accounts_owner}
            """,
            "backfill: {batchSize: 500, targetBatchTime: 20ms, maxRowsPerSecond: 20000}\n");
    MigrationSpec spec = doc.spec();
    Engine engine = Migrations.engine(db.dataSource(), Duration.ofMillis(150));
    Map<MigrationPhase, Long> writesSeen = new EnumMap<>(MigrationPhase.class);

    try (OracleWorkload app =
        new OracleWorkload(db.dataSource(), "accounts", 4, initial, 42, Duration.ofMillis(1))) {
      app.start();
      MigrationRecord m = engine.submit("accounts-reshape", spec);
      long[] before = {app.statements()};
      StepResult r =
          Migrations.run(
              engine,
              m.id(),
              spec,
              step -> {
                long now = app.statements();
                writesSeen.merge(step.phase(), now - before[0], Long::sum);
                before[0] = now;
              });
      assertThat(r).as("migration result").isInstanceOf(StepResult.Done.class);
      assertThat(r.phase()).isEqualTo(MigrationPhase.Completed);

      // Writes go on against the new table while the archived one is kept in sync.
      long mark = app.statements();
      await().atMost(Duration.ofSeconds(30)).until(() -> app.statements() > mark + 300);
      app.pause();
      assertThat(engine.step(m.id(), spec)).isInstanceOf(StepResult.Done.class);
      assertLiveMatchesNewShape(db, app.expected());
      assertThat(
              db.count(
                  "SELECT count(*) FROM accounts u FULL JOIN accounts__ifl_old a ON a.id = u.id WHERE u.id IS NULL"
                      + " OR a.id IS NULL OR (u.owner, u.balance, u.remark) IS DISTINCT FROM (a.owner, a.balance, a.note)"
                      + " OR u.flag IS DISTINCT FROM (a.flag <> 0)"))
          .as("rows differing between the live table and the archived one")
          .isZero();
      app.resume();
      long mark2 = app.statements();
      await().atMost(Duration.ofSeconds(30)).until(() -> app.statements() > mark2 + 300);

      MigrationSpec rollback = Migrations.withAction(spec, Action.Rollback);
      long[] beforeRollback = {app.statements()};
      StepResult back =
          Migrations.run(
              engine,
              m.id(),
              rollback,
              step -> {
                long now = app.statements();
                writesSeen.merge(
                    step.phase() == MigrationPhase.RolledBack
                        ? MigrationPhase.RollingBack
                        : step.phase(),
                    now - beforeRollback[0],
                    Long::sum);
                beforeRollback[0] = now;
              });
      assertThat(back.phase()).isEqualTo(MigrationPhase.RolledBack);
      long mark3 = app.statements();
      await().atMost(Duration.ofSeconds(30)).until(() -> app.statements() > mark3 + 100);
      app.pause();

      System.out.println(
          "application statements committed per phase: "
              + writesSeen
              + ", total "
              + app.statements());
      assertLiveMatchesOriginalShape(db, app.expected());
      assertThat(app.failures().counts()).as("failed application statements").isEmpty();
      assertThat(writesSeen)
          .as("application writes committed while each phase ran")
          .allSatisfy((phase, n) -> assertThat(n).as(phase.name()).isNotNull());
      assertThat(writesSeen.getOrDefault(MigrationPhase.Backfilling, 0L)).isPositive();
      assertThat(writesSeen.getOrDefault(MigrationPhase.Syncing, 0L)).isPositive();
      assertThat(writesSeen.getOrDefault(MigrationPhase.Completed, 0L)).isPositive();
      assertThat(app.statements()).isGreaterThan(1000);
    }
  }

  private static void assertLiveMatchesNewShape(TestDatabase db, TreeMap<Long, Row> expected) {
    List<String> actual =
        db.strings(
            "SELECT concat_ws('|', id, owner, balance, flag, coalesce(remark, '<null>'), memo) FROM accounts ORDER BY id");
    List<String> want = new ArrayList<>();
    for (Row r : expected.values()) {
      want.add(
          String.join(
              "|",
              String.valueOf(r.id()),
              r.owner(),
              String.valueOf(r.balance()),
              r.flag() != 0 ? "t" : "f",
              Objects.requireNonNullElse(r.note(), "<null>"),
              "x"));
    }
    assertSameRows("live table after cut-over", actual, want);
  }

  /** Compares row lists, reporting only the rows missing and the rows unexpected. */
  static void assertSameRows(String what, List<String> actual, List<String> expected) {
    Set<String> missing = new TreeSet<>(expected);
    actual.forEach(missing::remove);
    Set<String> ghosts = new TreeSet<>(actual);
    expected.forEach(ghosts::remove);
    assertThat(missing).as(what + ": expected rows missing (lost or changed)").isEmpty();
    assertThat(ghosts).as(what + ": rows present but not expected (ghosts or changed)").isEmpty();
    assertThat(actual).as(what + ": row count").hasSameSizeAs(expected);
  }

  private static void assertLiveMatchesOriginalShape(TestDatabase db, TreeMap<Long, Row> expected) {
    List<String> actual =
        db.strings(
            "SELECT concat_ws('|', id, owner, balance, flag, coalesce(note, '<null>')) FROM accounts ORDER BY id");
    List<String> want = new ArrayList<>();
    for (Row r : expected.values()) {
      want.add(
          String.join(
              "|",
              String.valueOf(r.id()),
              r.owner(),
              String.valueOf(r.balance()),
              String.valueOf(r.flag()),
              Objects.requireNonNullElse(r.note(), "<null>")));
    }
    assertSameRows("table after rollback", actual, want);
    assertThat(
            db.strings("SELECT indexname FROM pg_indexes WHERE tablename = 'accounts' ORDER BY 1"))
        .containsExactly("accounts_owner", "accounts_pkey");
  }

  @Test
  void planningWhileAnotherProcessInstallsTheLedgerPlansAgainInsteadOfFailing(TestDatabase db)
      throws Exception {
    db.exec("CREATE TABLE parts (id bigint PRIMARY KEY, code text)");
    assertThat(db.scalar("SELECT to_regnamespace('inflight') IS NULL")).isEqualTo(true);
    MigrationSpec spec =
        Migrations.document(
                "parts-code", "public.parts", "- addColumn: {name: size, type: integer}", null)
            .spec();
    try (Connection installer = DriverManager.getConnection(db.url())) {
      installer.setAutoCommit(false);
      try (Statement st = installer.createStatement()) {
        st.execute("SELECT pg_advisory_xact_lock(" + AdvisoryLocks.NAMESPACE + ", 0)");
        st.execute("CREATE SCHEMA inflight");
      }
      Engine engine = Migrations.engine(db.dataSource());
      CompletableFuture<Plan> planning = CompletableFuture.supplyAsync(() -> plan(engine, spec));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  db.count(
                          "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                              + " AND pid <> pg_backend_pid()")
                      > 0);
      installer.commit();
      assertThat(planning.get(30, TimeUnit.SECONDS).createShadow()).isNotEmpty();
    }
  }

  private static Plan plan(Engine engine, MigrationSpec spec) {
    try {
      return engine.plan(spec);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
