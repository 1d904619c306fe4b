package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TPC-B's transaction (update an account, then its branch, then insert a history row that
 * references both) against swaps of the accounts table, whose foreign keys tie it to both other
 * tables: no application transaction may become a deadlock victim, or fail at all.
 */
@ExtendWith(PostgresExtension.class)
class SwapDeadlockTest {
  private static final int WRITERS = 8;

  @Test
  void tpcbTransactionsNeverDeadlockWithTheSwaps(TestDatabase db) throws Exception {
    db.exec(
        "CREATE TABLE branches (bid int PRIMARY KEY, bbalance bigint NOT NULL DEFAULT 0)",
        "CREATE TABLE accounts (aid int PRIMARY KEY, bid int NOT NULL REFERENCES branches,"
            + " abalance bigint NOT NULL DEFAULT 0)",
        "CREATE TABLE history (hid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
            + " aid int NOT NULL REFERENCES accounts, bid int NOT NULL REFERENCES branches,"
            + " delta int NOT NULL)",
        "INSERT INTO branches SELECT g FROM generate_series(1, 10) g",
        "INSERT INTO accounts (aid, bid) SELECT g, 1 + g % 10 FROM generate_series(1, 20000) g");
    MigrationDocument doc =
        Migrations.document(
            "accounts-note",
            "public.accounts",
            "- addColumn: {name: note, type: text}",
            "cutover: {lockTimeout: 2s}");
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("accounts-note", doc.spec());

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong committed = new AtomicLong();
    Map<String, Long> failures = new ConcurrentHashMap<>();
    List<Thread> writers = new ArrayList<>();
    for (int i = 0; i < WRITERS; i++) {
      Thread t = new Thread(() -> tpcb(db, running, committed, failures), "tpcb-" + i);
      t.start();
      writers.add(t);
    }
    try {
      assertThat(Migrations.run(engine, m.id(), doc.spec()).phase())
          .isEqualTo(MigrationPhase.Completed);
      assertThat(
              Migrations.run(engine, m.id(), Migrations.withAction(doc.spec(), Action.Rollback))
                  .phase())
          .isEqualTo(MigrationPhase.RolledBack);
    } finally {
      running.set(false);
      for (Thread t : writers) {
        t.join();
      }
    }
    assertThat(committed.get()).isPositive();
    assertThat(failures).as("failed application transactions by SQLSTATE").isEmpty();
    assertThat(db.count("SELECT count(*) FROM history")).isEqualTo(committed.get());
  }

  private static void tpcb(
      TestDatabase db, AtomicBoolean running, AtomicLong committed, Map<String, Long> failures) {
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      while (running.get()) {
        int aid = ThreadLocalRandom.current().nextInt(1, 20_001);
        int bid = 1 + aid % 10;
        int delta = ThreadLocalRandom.current().nextInt(-5000, 5000);
        try {
          update(c, "UPDATE accounts SET abalance = abalance + ? WHERE aid = ?", delta, aid);
          update(c, "UPDATE branches SET bbalance = bbalance + ? WHERE bid = ?", delta, bid);
          update(c, "INSERT INTO history (delta, aid, bid) VALUES (?, ?, ?)", delta, aid, bid);
          c.commit();
          committed.incrementAndGet();
        } catch (SQLException e) {
          failures.merge(String.valueOf(e.getSQLState()), 1L, Long::sum);
          c.rollback();
        }
      }
    } catch (SQLException e) {
      failures.merge("connection " + e.getSQLState(), 1L, Long::sum);
    }
  }

  private static void update(Connection c, String sql, int... values) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        ps.setInt(i + 1, values[i]);
      }
      ps.executeUpdate();
    }
  }
}
