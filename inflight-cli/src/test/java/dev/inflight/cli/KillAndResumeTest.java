package dev.inflight.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.engine.Engine;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 3: {@code apply} (and {@code rollback}) run in a separate JVM killed with SIGKILL at
 * moments spread over every phase, including while the cut-over transaction waits for its lock,
 * then resumed, end with exactly the data of a run that was never killed.
 */
@ExtendWith(PostgresExtension.class)
class KillAndResumeTest {
  private static final int ROWS = 60_000;
  private static final String CHANGES =
      """
      - addColumn: {name: memo, type: text, default: "'x'"}
      - alterColumnType: {column: flag, type: boolean, using: "flag <> 0", reverseUsing: "CASE WHEN flag THEN 1 ELSE 0 END"}
      - createIndex: {name: items_balance, columns: [balance]}
      """;
  private static final String SETTINGS =
      "backfill: {batchSize: 300, targetBatchTime: 10ms, maxRowsPerSecond: 10000}\ncutover: {lockTimeout: 1s}\n";

  private final Random random = new Random(20261124);
  private final List<String> kills = new ArrayList<>();

  @Test
  void killedAndResumedRunsEndLikeAnUnkilledRun(
      TestDatabase killed, TestDatabase reference, @TempDir Path dir) throws Exception {
    setUp(killed);
    setUp(reference);
    Path file = dir.resolve("items.yaml");
    Files.writeString(file, yaml());

    // apply, killed repeatedly: one early kill, then kills aimed at each phase.
    List<MigrationPhase> targets =
        List.of(
            MigrationPhase.Planning,
            MigrationPhase.Backfilling,
            MigrationPhase.Backfilling,
            MigrationPhase.Backfilling,
            MigrationPhase.Backfilling,
            MigrationPhase.Backfilling,
            MigrationPhase.Syncing,
            MigrationPhase.Syncing,
            MigrationPhase.CuttingOver,
            MigrationPhase.CuttingOver);
    int write = 0;
    for (MigrationPhase target : targets) {
      killDuring(killed, file, "apply", target);
      applyWrites(killed, ++write);
    }
    assertThat(finish(killed, file, "apply")).as("resumed apply output").contains("completed");

    // The reference: the same writes, then one migration nobody interrupts.
    for (int w = 1; w <= write; w++) {
      applyWrites(reference, w);
    }
    Engine engine = Migrations.engine(reference.dataSource());
    MigrationDocument doc = Migrations.document(yaml());
    MigrationRecord m = engine.submit(doc.metadata().name(), doc.spec());
    assertThat(Migrations.run(engine, m.id(), doc.spec()).phase())
        .isEqualTo(MigrationPhase.Completed);
    assertThat(contents(killed)).as("table after apply").isEqualTo(contents(reference));

    // rollback, killed twice (once while its swap waits for the lock), then resumed.
    killDuring(killed, file, "rollback", MigrationPhase.Completed);
    applyWrites(killed, ++write);
    killDuring(killed, file, "rollback", MigrationPhase.RollingBack);
    assertThat(finish(killed, file, "rollback")).contains("rolled back");
    applyWrites(reference, write);
    assertThat(
            Migrations.run(engine, m.id(), Migrations.withAction(doc.spec(), Action.Rollback))
                .phase())
        .isEqualTo(MigrationPhase.RolledBack);
    assertThat(contents(killed)).as("table after rollback").isEqualTo(contents(reference));
    assertThat(killed.count("SELECT count(*) FROM pg_class WHERE relname LIKE 'items\\_\\_ifl%'"))
        .isZero();

    System.out.println("kills: " + kills);
    assertThat(kills).as("processes killed while running").hasSizeGreaterThanOrEqualTo(10);
    assertThat(kills.stream().filter(k -> k.startsWith("CuttingOver (inside")).count())
        .as("kills inside cut-over")
        .isPositive();
  }

  private static void setUp(TestDatabase db) {
    db.exec(
        "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL, balance integer NOT NULL,"
            + " flag integer NOT NULL DEFAULT 0, note text)",
        "INSERT INTO items SELECT g, 'o' || (g % 97), g % 1000, g % 2, 'n' || g FROM generate_series(1, "
            + ROWS
            + ") g");
  }

  private static String yaml() {
    return "apiVersion: inflight.dev/v1alpha1\nkind: SchemaMigration\nmetadata: {name: items-reshape}\nspec:\n"
        + "  table: public.items\n  changes:\n"
        + CHANGES.indent(4)
        + SETTINGS.indent(2);
  }

  /** Deterministic writes using only the columns both shapes have; the same in both databases. */
  private static void applyWrites(TestDatabase db, int k) {
    db.exec(
        "UPDATE items SET balance = balance + " + k + " WHERE id % 50 = " + k,
        "INSERT INTO items (id, owner, balance) VALUES ("
            + (1_000_000 + k)
            + ", 'k"
            + k
            + "', "
            + k
            + ")",
        "DELETE FROM items WHERE id = " + (100 + k * 7),
        "UPDATE items SET id = " + (2_000_000 + k) + " WHERE id = " + (200 + k * 11));
  }

  private static List<String> contents(TestDatabase db) {
    return db.strings("SELECT t::text FROM items t ORDER BY id");
  }

  /**
   * Starts the command in a child JVM and kills it with SIGKILL at a random moment of {@code
   * target}; for CuttingOver and RollingBack, while its swap transaction waits for the table lock.
   */
  private void killDuring(TestDatabase db, Path file, String command, MigrationPhase target)
      throws Exception {
    boolean swap = target == MigrationPhase.CuttingOver || target == MigrationPhase.RollingBack;
    AtomicBoolean holding = new AtomicBoolean(swap);
    Thread holder = swap ? lockHolder(db, holding) : null;
    Process p = start(db, file, command);
    try {
      if (swap) {
        // The swap's LOCK TABLE queues behind a short transaction (too young to be reported as a
        // blocker), so the transaction is open while it waits: kill it there.
        await().atMost(Duration.ofSeconds(90)).until(() -> !p.isAlive() || lockWaiting(db));
      } else if (target == MigrationPhase.Planning) {
        // A random moment of JVM start or planning; the process may finish before it.
        p.waitFor(300 + random.nextInt(900), TimeUnit.MILLISECONDS);
      } else {
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> !p.isAlive() || phase(db) == target);
        // A random moment inside the phase, unless the process ends first.
        p.waitFor(
            random.nextInt(target == MigrationPhase.Backfilling ? 600 : 150),
            TimeUnit.MILLISECONDS);
      }
      if (p.isAlive()) {
        boolean inSwap = swap && lockWaiting(db);
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        // Labelled after the kill, from the ledger: a swap that committed first shows Completed.
        MigrationPhase now = phase(db);
        String at =
            (now == null ? "Planning (before the ledger existed)" : now.name())
                + (inSwap && now == target
                    ? " (inside the swap transaction, waiting for its lock)"
                    : "");
        kills.add(at);
      }
    } finally {
      holding.set(false);
      if (holder != null) {
        holder.join();
      }
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static String finish(TestDatabase db, Path file, String command) throws Exception {
    Process p = start(db, file, command);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as(command + " finished").isTrue();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.exitValue()).as(command + " exit code; output:\n" + out).isZero();
    return out;
  }

  private static Process start(TestDatabase db, Path file, String command) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            command,
            "-f",
            file.toString(),
            "--jdbc-url",
            db.url(),
            "--no-progress")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.PIPE)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
  }

  /**
   * Keeps taking ACCESS SHARE locks on the table, each held 1.5s (longer than the lock timeout),
   * until told to stop.
   */
  private static Thread lockHolder(TestDatabase db, AtomicBoolean holding) {
    Thread t =
        new Thread(
            () -> {
              try (Connection c = db.dataSource().getConnection();
                  Statement st = c.createStatement()) {
                while (holding.get()) {
                  c.setAutoCommit(false);
                  st.execute("LOCK TABLE items IN ACCESS SHARE MODE");
                  st.execute("SELECT pg_sleep(1.5)");
                  c.commit();
                  c.setAutoCommit(true);
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            "lock-holder");
    t.start();
    return t;
  }

  private static boolean lockWaiting(TestDatabase db) {
    return db.count(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'inflight' AND wait_event_type = 'Lock'"
                + " AND query LIKE 'LOCK TABLE%'")
        > 0;
  }

  private static MigrationPhase phase(TestDatabase db) {
    try {
      Object p = db.scalar("SELECT phase FROM inflight.migrations ORDER BY id DESC LIMIT 1");
      return p == null ? null : MigrationPhase.valueOf((String) p);
    } catch (IllegalStateException e) {
      return null;
    }
  }
}
