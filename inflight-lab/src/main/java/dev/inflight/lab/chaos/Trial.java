package dev.inflight.lab.chaos;

import com.zaxxer.hikari.HikariDataSource;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.workload.OracleWorkload;
import dev.inflight.workload.PgCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One trial: a fresh database with {@code public.items} under an application with an exact oracle;
 * {@code inflight apply} (and, when the fault aims at the rollback, {@code inflight rollback}) in a
 * process of its own; one fault at a random moment of the target phase; then the command is run
 * again until the migration settles, as a person or a job would. The trial passes when the live
 * table equals the oracle row by row, the catalog equals the reference run's, and (for the faults
 * that leave the application's sessions alone) the application saw no error.
 */
final class Trial {
  static final String NAME = "items-reshape";
  static final long SETTLE_MILLIS = 240_000;
  private static final int MAX_RESTARTS = 25;
  private static final long STATEMENT_TIMEOUT_MILLIS = 10;
  private static final int APPLICATION_THREADS = 3;
  private static final Duration APPLICATION_PAUSE = Duration.ofMillis(3);

  /** What a trial found. */
  record Result(
      TrialPlan plan,
      boolean passed,
      String hit,
      List<String> problems,
      List<String> exits,
      long statements,
      long inDoubt,
      long longestStatementMillis,
      Map<String, Long> applicationFailures,
      long millis,
      String log) {}

  private final PgCluster cluster;
  private final ChaosSettings settings;
  private final References references;

  Trial(PgCluster cluster, ChaosSettings settings, References references) {
    this.cluster = cluster;
    this.settings = settings;
    this.references = references;
  }

  Result run(TrialPlan plan) throws Exception {
    long started = System.nanoTime();
    String db = "chaos_" + Long.toHexString(plan.seed());
    Path log = settings.work().resolve(db + ".log");
    Files.deleteIfExists(log);
    List<String> problems = new ArrayList<>();
    DiskFull disk = null;
    cluster.admin("DROP DATABASE IF EXISTS " + db);
    if (plan.fault() == Fault.DISK_FULL) {
      disk = DiskFull.mount(settings.work(), 64L << 20);
      cluster.admin(
          "CREATE TABLESPACE " + db + " LOCATION '" + disk.directory() + "'",
          "CREATE DATABASE " + db + " TABLESPACE " + db);
    } else {
      cluster.admin("CREATE DATABASE " + db);
    }
    String url = cluster.jdbcUrl(db);
    String hit;
    Driver driver = null;
    OracleWorkload app = null;
    HikariDataSource appPool = null;
    try {
      List<OracleWorkload.Row> initial = Items.create(url, settings.rows());
      if (disk != null) {
        try (Connection c = DriverManager.getConnection(url)) {
          disk.fillLeaving(c, Items.heapBytes(c) / 2);
        }
      }
      appPool = Items.applicationPool(url, APPLICATION_THREADS);
      app =
          new OracleWorkload(
              appPool,
              Items.TABLE,
              APPLICATION_THREADS,
              initial,
              plan.workloadSeed(),
              APPLICATION_PAUSE);
      app.start();
      Path file = settings.work().resolve(db + ".yaml");
      Files.writeString(file, Items.migration(NAME, settings.rows()));
      driver = new Driver(file, url, log);
      Injector injector = new Injector(cluster, db);
      TrialLedger ledger = new TrialLedger(url);
      if (plan.duringRollback()) {
        driver.start("apply");
        settle(driver, ledger, MigrationPhase.Completed, problems);
        hit = strike(plan, driver, ledger, injector, disk, url, "rollback");
        settle(driver, ledger, MigrationPhase.RolledBack, problems);
      } else {
        hit = strike(plan, driver, ledger, injector, disk, url, "apply");
        settle(driver, ledger, MigrationPhase.Completed, problems);
      }
      if (plan.fault() == Fault.LONG_TRANSACTION) {
        long attempts = ledger.swapAttempts(plan.duringRollback());
        hit =
            (attempts > 1 ? "" : "missed: the swap did not meet the lock; ")
                + hit
                + "; swap attempts: "
                + attempts;
      }
      ledger.close();
      app.pause();
      verify(plan, url, app, problems);
    } finally {
      if (driver != null) {
        driver.stop();
      }
      if (app != null) {
        app.close();
      }
      if (appPool != null) {
        appPool.close();
      }
      cluster.admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
      if (disk != null) {
        cluster.admin("DROP TABLESPACE IF EXISTS " + db);
        disk.close();
      }
    }
    Map<String, Long> failures = app.failures().byMessage();
    boolean applicationUntouched =
        plan.fault() != Fault.RESTART_FAST
            && plan.fault() != Fault.RESTART_IMMEDIATE
            && plan.fault() != Fault.DISK_FULL;
    if (applicationUntouched && !failures.isEmpty()) {
      problems.add("application statements failed: " + failures);
    }
    if (app.unresolved() > 0) {
      problems.add(app.unresolved() + " in-doubt application statements could not be read back");
    }
    return new Result(
        plan,
        problems.isEmpty(),
        hit,
        problems,
        driver.exits(),
        app.statements(),
        app.inDoubt(),
        app.longestMillis(),
        failures,
        (System.nanoTime() - started) / 1_000_000,
        driver.output());
  }

  /**
   * Starts {@code command} and injects the plan's fault in its target phase. Returns where the
   * fault struck, or why it did not.
   */
  private String strike(
      TrialPlan plan,
      Driver driver,
      TrialLedger ledger,
      Injector injector,
      DiskFull disk,
      String url,
      String command)
      throws Exception {
    MigrationPhase target = plan.target();
    boolean stretch =
        plan.fault() != Fault.LONG_TRANSACTION
            && (target == MigrationPhase.CreatingShadow
                || target == MigrationPhase.CuttingOver
                || target == MigrationPhase.RollingBack);
    Injector.Contention contention =
        stretch && target != MigrationPhase.CuttingOver ? injector.contention() : null;
    Thread holder = null;
    try {
      if (plan.fault() == Fault.LONG_TRANSACTION && target == MigrationPhase.RollingBack) {
        holder = injector.longTransaction(plan.holdMillis(), plan.idle());
      }
      driver.start(command);
      if (plan.fault() == Fault.LONG_TRANSACTION && target == MigrationPhase.CuttingOver) {
        if (!ledger.await(MigrationPhase.Syncing, driver)) {
          return "missed: the process ended before Syncing";
        }
        holder = injector.longTransaction(plan.holdMillis(), plan.idle());
        return "lock taken in " + ledger.phase();
      }
      if (plan.fault() == Fault.LONG_TRANSACTION) {
        return "lock taken before the rollback started";
      }
      if (stretch && target == MigrationPhase.CuttingOver) {
        if (!ledger.await(MigrationPhase.Syncing, driver)) {
          return "missed: the process ended before Syncing";
        }
        contention = injector.contention();
      }
      if (target == MigrationPhase.Planning) {
        Thread.sleep(plan.delayMillis());
      } else {
        if (!ledger.await(target, driver)) {
          return "missed: the process ended before " + target;
        }
        Thread.sleep(plan.delayMillis());
      }
      MigrationPhase at = ledger.phase();
      if (at != null && at.terminal() && plan.fault() != Fault.DISK_FULL) {
        return "missed: the migration had already settled (" + at + ")";
      }
      String where =
          (at == null ? "before the ledger existed" : at.name()) + waitingForLock(ledger);
      switch (plan.fault()) {
        case KILL -> {
          if (!driver.alive()) {
            return "missed: the process had ended (" + where + ")";
          }
          driver.kill();
        }
        case TERMINATE -> {
          int n = 0;
          for (int i = 0; i < plan.repeats(); i++) {
            n += injector.terminate();
            Thread.sleep(150);
          }
          where =
              n == 0
                  ? "missed: the driving process had no session (" + where + ")"
                  : where + ", " + n + " session(s) terminated";
        }
        case RESTART_FAST -> injector.restart(PgCluster.Shutdown.FAST);
        case RESTART_IMMEDIATE -> injector.restart(PgCluster.Shutdown.IMMEDIATE);
        case STATEMENT_TIMEOUT -> {
          long end = System.nanoTime() + plan.holdMillis() * 1_000_000;
          int n = 0;
          while (System.nanoTime() < end) {
            n += injector.cancelOlderThan(STATEMENT_TIMEOUT_MILLIS);
            Thread.sleep(5);
          }
          where =
              n == 0
                  ? "missed: no statement ran longer than "
                      + STATEMENT_TIMEOUT_MILLIS
                      + " ms ("
                      + where
                      + ")"
                  : where + ", " + n + " statement(s) cancelled";
        }
        case DISK_FULL -> where = awaitDiskFull(driver, ledger, disk, url);
        case LONG_TRANSACTION -> throw new IllegalStateException("handled above");
      }
      return where;
    } finally {
      if (contention != null) {
        contention.close();
      }
      if (holder != null) {
        holder.join(10_000);
      }
    }
  }

  /** Waits for the migration to react to the full disk, then frees the disk. */
  private static String awaitDiskFull(Driver driver, TrialLedger ledger, DiskFull disk, String url)
      throws Exception {
    long end = System.nanoTime() + 60_000_000_000L;
    String seen = null;
    while (System.nanoTime() < end && seen == null) {
      seen = ledger.spaceError();
      if (seen == null && driver.await(100) != null) {
        seen = "the process ended: " + lastLine(driver.output());
      }
    }
    MigrationPhase phase = ledger.phase();
    try (Connection c = DriverManager.getConnection(url)) {
      disk.free(c);
    }
    return seen == null
        ? "missed: the copy fit on the disk (" + phase + ")"
        : "disk full in " + phase + ": " + seen + "; space freed";
  }

  private static String waitingForLock(TrialLedger ledger) {
    return ledger.swapWaitingForLock() ? " (the swap waiting for its lock)" : "";
  }

  /** Runs the command again whenever it exits without having settled at {@code goal}. */
  private static void settle(
      Driver driver, TrialLedger ledger, MigrationPhase goal, List<String> problems)
      throws Exception {
    long end = System.nanoTime() + SETTLE_MILLIS * 1_000_000;
    int restarts = 0;
    while (System.nanoTime() < end) {
      Integer code = driver.await(500);
      if (code == null) {
        continue;
      }
      MigrationPhase phase = ledger.phase();
      if (code == 0 && phase == goal) {
        return;
      }
      if (code == 0) {
        problems.add("the command exited 0 with the migration in " + phase + ", not " + goal);
        return;
      }
      if (++restarts > MAX_RESTARTS) {
        break;
      }
      Thread.sleep(500);
      driver.restart();
    }
    problems.add(
        "did not reach " + goal + " (phase " + ledger.phase() + ", " + restarts + " restarts)");
  }

  private void verify(TrialPlan plan, String url, OracleWorkload app, List<String> problems)
      throws SQLException {
    boolean forward = !plan.duringRollback();
    try (Connection c = DriverManager.getConnection(url)) {
      List<String> actual = Items.rows(c, forward);
      List<String> expected = Items.expectedRows(app.expected(), forward);
      List<String> diff = Items.difference(expected, actual, 5);
      if (!diff.isEmpty()) {
        problems.add("live table differs from the expected result: " + String.join("; ", diff));
      }
      Shape shape = Shape.of(c);
      List<String> shapeDiff =
          shape.differences(forward ? references.completed() : references.rolledBack());
      if (!shapeDiff.isEmpty()) {
        problems.add("catalog differs from the reference run: " + shapeDiff);
      }
    }
  }

  private static String lastLine(String s) {
    String[] lines = s.strip().split("\n");
    return lines[lines.length - 1];
  }
}
