package dev.inflight.lab.generative;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.lab.chaos.Driver;
import dev.inflight.lab.chaos.TrialLedger;
import dev.inflight.workload.PgCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One generated case, end to end, on a database of its own: the table and its rows, the application
 * with its model, and three commands run as a person runs them, each in a process of its own
 * ({@code apply} and {@code rollback} of a first migration, {@code apply} and {@code finalize} of a
 * second), the case's SIGKILL in one of them followed by the same command again until it settles.
 * After each command the live table must equal the model byte for byte and the catalog the
 * reference run's; at the end, no application statement may have failed and none may have taken
 * longer than the bound.
 */
final class CaseRun {
  /** What a case found. */
  record Result(
      GenerativeCase spec,
      List<String> problems,
      String struck,
      List<String> exits,
      long statements,
      long truncations,
      long longestMillis,
      Map<String, Long> failures,
      long millis,
      String log) {
    boolean passed() {
      return problems.isEmpty();
    }
  }

  static final int ROWS_PER_WRITER = 300;
  private static final long SETTLE_MILLIS = 180_000;
  private static final int MAX_RESTARTS = 10;

  private final PgCluster cluster;
  private final Path work;
  private final long boundMillis;

  /**
   * @param boundMillis the longest an application statement may take: the migrations' lock timeout
   *     plus an allowance for the drain under the lock and a busy machine
   */
  CaseRun(PgCluster cluster, Path work, long boundMillis) {
    this.cluster = cluster;
    this.work = work;
    this.boundMillis = boundMillis;
  }

  Result run(GenerativeCase spec, ReferenceCatalog reference) throws Exception {
    long started = System.nanoTime();
    String db = "gen_" + Long.toHexString(spec.seed());
    Path log = work.resolve(db + ".log");
    Files.deleteIfExists(log);
    List<String> problems = new ArrayList<>();
    List<String> struck = new ArrayList<>();
    cluster.admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)", "CREATE DATABASE " + db);
    String url = cluster.jdbcUrl(db);
    Driver first = new Driver(file(db, Migrations.FIRST, spec), url, log);
    Driver second = new Driver(file(db, Migrations.SECOND, spec), url, log);
    GenerativeWorkload app = null;
    Thread others = null;
    try (HikariDataSource pool = pool(url)) {
      app = new GenerativeWorkload(pool, spec);
      try (Connection c = pool.getConnection();
          Statement st = c.createStatement()) {
        for (String sql : spec.shape().createSql()) {
          st.execute(sql);
        }
        app.load(c, ROWS_PER_WRITER);
        st.execute("ANALYZE " + TableShape.TABLE);
      }
      check("before the migration", pool, app, spec, List.of(), null, problems);
      if (!problems.isEmpty()) {
        return result(spec, problems, struck, List.of(), app, started, log);
      }
      app.start();
      try (TrialLedger ledgerA = new TrialLedger(url, Migrations.FIRST);
          TrialLedger ledgerB = new TrialLedger(url, Migrations.SECOND)) {
        if (spec.activities().contains(Activity.OTHERS_OBJECTS)) {
          others = othersDuringBackfill(url, first, spec, problems);
        }
        boolean ok =
            command(
                first,
                "apply",
                ledgerA,
                spec,
                Kill.Stage.APPLY,
                MigrationPhase.Completed,
                struck,
                problems);
        if (others != null) {
          others.join(60_000);
        }
        ok =
            ok
                && check(
                    "after apply",
                    pool,
                    app,
                    spec,
                    spec.change().afterApply(),
                    reference.completed(),
                    problems);
        ok =
            ok
                && command(
                    first,
                    "rollback",
                    ledgerA,
                    spec,
                    Kill.Stage.ROLLBACK,
                    MigrationPhase.RolledBack,
                    struck,
                    problems);
        ok =
            ok
                && check(
                    "after rollback",
                    pool,
                    app,
                    spec,
                    spec.change().afterRollback(),
                    reference.rolledBack(),
                    problems);
        ok =
            ok
                && command(
                    second,
                    "apply",
                    ledgerB,
                    spec,
                    Kill.Stage.REAPPLY,
                    MigrationPhase.Completed,
                    struck,
                    problems);
        ok =
            ok
                && command(
                    second,
                    "finalize",
                    ledgerB,
                    spec,
                    Kill.Stage.NONE,
                    MigrationPhase.Finalized,
                    struck,
                    problems);
        if (ok) {
          check(
              "after finalize",
              pool,
              app,
              spec,
              spec.change().afterApply(),
              reference.finalized(),
              problems);
        }
      }
      app.close();
      long longest = app.longestMillis();
      if (!app.failures().isEmpty()) {
        problems.add("application statements failed: " + app.failures().byMessage());
      }
      if (longest > boundMillis) {
        problems.add(
            "an application statement took "
                + longest
                + " ms, over the bound of "
                + boundMillis
                + " ms");
      }
    } finally {
      first.stop();
      second.stop();
      if (app != null) {
        app.close();
      }
      dropPrepared(url);
      cluster.admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
    }
    List<String> exits = new ArrayList<>(first.exits());
    exits.addAll(second.exits());
    return result(spec, problems, struck, exits, app, started, log);
  }

  private Result result(
      GenerativeCase spec,
      List<String> problems,
      List<String> struck,
      List<String> exits,
      GenerativeWorkload app,
      long started,
      Path log)
      throws IOException {
    return new Result(
        spec,
        problems,
        struck.isEmpty() ? "no kill" : String.join("; ", struck),
        exits,
        app.statements(),
        app.truncations(),
        app.longestMillis(),
        app.failures().byMessage(),
        (System.nanoTime() - started) / 1_000_000,
        Files.exists(log) ? Files.readString(log) : "");
  }

  private Path file(String db, String name, GenerativeCase spec) throws IOException {
    Path f = work.resolve(db + "-" + name + ".yaml");
    Files.writeString(f, Migrations.yaml(name, spec.change()));
    return f;
  }

  private static HikariDataSource pool(String url) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url);
    cfg.setMaximumPoolSize(GenerativeWorkload.THREADS + 2);
    cfg.setMinimumIdle(0);
    cfg.setConnectionTimeout(10_000);
    cfg.setPoolName("gen-app");
    cfg.addDataSourceProperty("ApplicationName", "gen-app");
    return new HikariDataSource(cfg);
  }

  /**
   * Runs {@code command} until the migration settles at {@code goal}; strikes it first when the
   * case's kill aims at this stage. False, with the problem recorded, when it does not settle.
   */
  private static boolean command(
      Driver driver,
      String command,
      TrialLedger ledger,
      GenerativeCase spec,
      Kill.Stage stage,
      MigrationPhase goal,
      List<String> struck,
      List<String> problems)
      throws Exception {
    driver.start(command);
    if (stage != Kill.Stage.NONE && spec.kill().strikes(stage)) {
      struck.add(strike(driver, ledger, spec.kill(), command));
    }
    long end = System.nanoTime() + SETTLE_MILLIS * 1_000_000;
    int restarts = 0;
    while (System.nanoTime() < end) {
      Integer code = driver.await(300);
      if (code == null) {
        continue;
      }
      MigrationPhase phase = ledger.phase();
      if (code == 0 && phase == goal) {
        return true;
      }
      if (phase == MigrationPhase.Failed || ++restarts > MAX_RESTARTS) {
        break;
      }
      driver.restart();
    }
    problems.add(
        command
            + " did not reach "
            + goal
            + " (phase "
            + ledger.phase()
            + ", "
            + restarts
            + " restarts): "
            + lastLines(driver.output(), 3));
    return false;
  }

  private static String strike(Driver driver, TrialLedger ledger, Kill kill, String command)
      throws Exception {
    if (kill.phase() != MigrationPhase.Planning && !ledger.await(kill.phase(), driver)) {
      return command + ": missed, the process ended before " + kill.phase();
    }
    Thread.sleep(kill.delayMillis());
    MigrationPhase at = ledger.phase();
    if (!driver.alive()) {
      return command + ": missed, the process had ended (" + at + ")";
    }
    driver.kill();
    return command + ": SIGKILL in " + (at == null ? "Planning, before the ledger existed" : at);
  }

  /** Another session creates its objects once the first migration is copying. */
  private static Thread othersDuringBackfill(
      String url, Driver driver, GenerativeCase spec, List<String> problems) {
    Thread t =
        new Thread(
            () -> {
              // A ledger reader of its own: one reader is not safe across threads.
              try (TrialLedger ledger = new TrialLedger(url, Migrations.FIRST)) {
                ledger.await(MigrationPhase.Backfilling, driver);
                try (Connection c = DriverManager.getConnection(url)) {
                  OthersObjects.create(c, spec.shape());
                }
              } catch (SQLException | InterruptedException e) {
                synchronized (problems) {
                  problems.add("another session could not create its objects: " + e.getMessage());
                }
              }
            },
            "gen-others");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Compares the live table with the model and the catalog with the reference, while paused. */
  private static boolean check(
      String when,
      HikariDataSource pool,
      GenerativeWorkload app,
      GenerativeCase spec,
      List<String> zeroQueries,
      List<String> catalog,
      List<String> problems)
      throws SQLException {
    int before = problems.size();
    app.pause();
    try (Connection c = pool.getConnection()) {
      List<String> diff = LiveTable.differences(app.expected(), LiveTable.read(c, spec.shape()));
      if (!diff.isEmpty()) {
        problems.add(when + ": the live table differs from the model: " + String.join("; ", diff));
      }
      for (String v : LiveTable.violations(c, zeroQueries)) {
        problems.add(when + ": " + v);
      }
      if (catalog != null) {
        List<String> cat = CatalogLines.differences(catalog, CatalogLines.of(c));
        if (!cat.isEmpty()) {
          problems.add(when + ": the catalog differs from the reference run's: " + cat);
        }
      }
    } finally {
      app.resume();
    }
    return problems.size() == before;
  }

  /** Prepared transactions a failed write left behind would keep the database from dropping. */
  private static void dropPrepared(String url) {
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement();
        var rs =
            st.executeQuery(
                "SELECT gid FROM pg_prepared_xacts WHERE database = current_database()")) {
      List<String> gids = new ArrayList<>();
      while (rs.next()) {
        gids.add(rs.getString(1));
      }
      for (String gid : gids) {
        try (Statement rb = c.createStatement()) {
          rb.execute("ROLLBACK PREPARED '" + gid.replace("'", "''") + "'");
        }
      }
    } catch (SQLException ignored) {
      // The database is dropped next; a failure there says what is wrong.
    }
  }

  private static String lastLines(String s, int n) {
    String[] lines = s.strip().split("\n");
    return String.join(" / ", List.of(lines).subList(Math.max(0, lines.length - n), lines.length));
  }
}
