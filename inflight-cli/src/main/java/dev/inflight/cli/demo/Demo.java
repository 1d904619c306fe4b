package dev.inflight.cli.demo;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.SpecReader;
import dev.inflight.engine.Engine;
import dev.inflight.engine.EngineSettings;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.Runner;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.engine.sql.KeepOnStatementErrors;
import dev.inflight.workload.EmbeddedBinaries;
import dev.inflight.workload.PacedWorkload;
import dev.inflight.workload.PgCluster;
import dev.inflight.workload.Role;
import dev.inflight.workload.StatementLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The demo: a live {@code users} table under an application's load is migrated (phone column,
 * integer flag to boolean, partial index) and rolled back, and what the application saw is
 * measured.
 */
public final class Demo {
  private final PrintStream out;
  private final int rows;

  /** Connections of the reader that runs without {@code autosave=conservative}. */
  private static final int PLAIN_READERS = 2;

  private final int writers;
  private final int readers;
  private final int opsPerSecond;

  public Demo(PrintStream out, int rows, int writers, int readers, int opsPerSecond) {
    this.out = out;
    this.rows = rows;
    this.writers = writers;
    this.readers = readers;
    this.opsPerSecond = opsPerSecond;
  }

  /** Runs the demo; returns true when every check passed. */
  public boolean run() throws Exception {
    long t0 = System.nanoTime();
    out.println("Inflight demo: migrating a live table under load, then rolling it back.\n");
    out.print("starting an embedded PostgreSQL server ... ");
    try (PgCluster server =
        PgCluster.create(
            EmbeddedBinaries.onClassPath().bin(),
            Path.of(System.getProperty("java.io.tmpdir")),
            Map.of("max_connections", "100"))) {
      String url = server.jdbcUrl("postgres");
      try (HikariDataSource admin = pool(url, 4, false, false);
          HikariDataSource app = pool(url, writers + readers + 2, true, true);
          HikariDataSource plain = pool(url, PLAIN_READERS, true, false)) {
        out.println(
            "PostgreSQL " + scalar(admin, "SHOW server_version") + " on port " + server.port());
        long load = System.nanoTime();
        out.printf("creating public.users with %,d rows ... ", rows);
        createTable(admin);
        out.printf("%.1fs%n", (System.nanoTime() - load) / 1e9);
        return migrate(admin, app, plain, t0);
      }
    }
  }

  private boolean migrate(
      HikariDataSource admin, HikariDataSource app, HikariDataSource plain, long t0)
      throws Exception {
    MigrationDocument doc = new SpecReader().parse(example(), "examples/users-add-phone.yaml");
    MigrationSpec spec = doc.spec();
    Engine engine =
        new Engine(
            admin, Clock.systemUTC(), EngineSettings.defaults(), RandomGenerator.getDefault());
    Runner runner = new Runner(engine, Clock.systemUTC());
    Report report = new Report();
    UsersStatements users = new UsersStatements(rows);
    try (PacedWorkload workload =
            new PacedWorkload(
                List.of(
                    new Role("app-writer", writers, opsPerSecond, app, users.writes()),
                    new Role("app-reader", readers, opsPerSecond, app, users.reads())));
        // The same prepared SELECT * in a transaction through a pool without the driver setting,
        // kept apart: its failures are the hazard the README describes, not the migration's.
        PacedWorkload unguarded =
            new PacedWorkload(
                List.of(
                    new Role(
                        "app-reader-without-autosave",
                        PLAIN_READERS,
                        opsPerSecond,
                        plain,
                        users.selectStarInTransaction())))) {
      workload.start();
      unguarded.start();
      out.printf(
          "application workload: %d writer and %d reader threads, %d statements/s each, through a pool%n",
          writers, readers, opsPerSecond);
      Thread.sleep(2000);
      double baselineP99 =
          StatementLog.latency(workload.log().select(StatementLog.succeededWrites())).p99();

      out.println(
          "\napplying "
              + doc.metadata().name()
              + " ("
              + spec.changes().size()
              + " changes to "
              + spec.table()
              + ")");
      MigrationRecord m = engine.submit(doc.metadata().name(), spec);
      out.println("  plan " + m.planHash());
      PhaseClock phases = new PhaseClock(engine, m.id(), out);
      StepResult r = runner.run(m.id(), spec, Duration.ofMinutes(10), phases);
      if (!(r instanceof StepResult.Done) || r.phase() != MigrationPhase.Completed) {
        out.println("migration did not complete: " + r);
        return false;
      }
      long cutoverMs =
          longestWriteMillis(
              workload.log(),
              phases.start(MigrationPhase.CuttingOver),
              phases.end(MigrationPhase.CuttingOver));
      MigrationRecord done = engine.get(m.id());
      Thread.sleep(1500);

      workload.pause();
      unguarded.pause();
      runner.run(m.id(), spec, Duration.ofMinutes(1), x -> {});
      long differences = differences(admin);
      boolean shape = shapeIsNew(admin);
      workload.resume();
      unguarded.resume();
      out.printf(
          "  check: new shape present (phone, flag boolean, both indexes): %s; live table vs archived, row by row: %s%n",
          shape ? "yes" : "NO", differences == 0 ? "identical" : differences + " rows differ");
      Thread.sleep(1500);

      out.println("\nrolling back");
      MigrationSpec rollback = spec.withAction(MigrationSpec.Action.Rollback);
      PhaseClock back = new PhaseClock(engine, m.id(), out);
      StepResult rb = runner.run(m.id(), rollback, Duration.ofMinutes(10), back);
      long rollbackMs =
          longestWriteMillis(
              workload.log(),
              back.start(MigrationPhase.RollingBack),
              back.end(MigrationPhase.RollingBack));
      MigrationRecord rolled = engine.get(m.id());
      Thread.sleep(1000);
      workload.pause();
      unguarded.pause();
      long missing = missingInserts(admin, users.insertedIds());
      boolean original = shapeIsOriginal(admin);
      out.printf(
          "  check: original shape restored: %s; rows the application inserted and did not delete, all present: %s%n",
          original ? "yes" : "NO", missing == 0 ? "yes" : missing + " missing");

      report.phases(done, rolled);
      boolean ok =
          "identical".equals(done.catalogCheck())
              && "identical".equals(rolled.catalogCheck())
              && rb instanceof StepResult.Done
              && rb.phase() == MigrationPhase.RolledBack
              && differences == 0
              && shape
              && original
              && missing == 0
              && workload.failures().isEmpty()
              && onlyCachedPlanFailures(unguarded);
      report.print(
          out,
          done,
          rolled,
          workload,
          unguarded,
          baselineP99,
          cutoverMs,
          rollbackMs,
          ok,
          (System.nanoTime() - t0) / 1e9);
      return ok;
    }
  }

  /** Without the driver setting, a prepared SELECT * fails only as the README says it does. */
  private static boolean onlyCachedPlanFailures(PacedWorkload unguarded) {
    return unguarded.failures().byMessage().keySet().stream()
        .allMatch(message -> message.contains(Report.CACHED_PLAN));
  }

  private void createTable(HikariDataSource admin) throws SQLException {
    try (Connection c = admin.getConnection();
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL, email text NOT NULL,"
              + " status text NOT NULL DEFAULT 'active', last_login timestamptz, flag integer NOT NULL DEFAULT 0,"
              + " created_at timestamptz NOT NULL DEFAULT now())");
      st.execute(
          "INSERT INTO users (name, email, status, last_login, flag)"
              + " SELECT 'user ' || g, 'user' || g || '@example.com', CASE WHEN g % 4 = 0 THEN 'inactive' ELSE 'active' END,"
              + " now() - (g % 10000) * interval '1 minute', (g % 3 = 0)::int FROM generate_series(1, "
              + rows
              + ") g");
      st.execute("CREATE UNIQUE INDEX users_email_key ON users (email)");
      st.execute("VACUUM ANALYZE users");
    }
  }

  /** Rows where the live table differs from the transform of the archived one (0 expected). */
  private static long differences(HikariDataSource admin) throws SQLException {
    return scalarLong(
        admin,
        "SELECT count(*) FROM users u FULL JOIN users__ifl_old a ON a.id = u.id WHERE u.id IS NULL OR a.id IS NULL"
            + " OR u.name IS DISTINCT FROM a.name OR u.email IS DISTINCT FROM a.email OR u.status IS DISTINCT FROM a.status"
            + " OR u.last_login IS DISTINCT FROM a.last_login OR u.flag IS DISTINCT FROM (a.flag <> 0)");
  }

  private static boolean shapeIsNew(HikariDataSource admin) throws SQLException {
    return scalarLong(
                admin,
                "SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND ((attname = 'phone' AND"
                    + " format_type(atttypid, atttypmod) = 'character varying(20)') OR (attname = 'flag' AND atttypid = 'bool'::regtype))")
            == 2
        && scalarLong(
                admin,
                "SELECT count(*) FROM pg_indexes WHERE tablename = 'users' AND indexname IN ('ix_users_phone', 'idx_active_users')")
            == 2;
  }

  private static boolean shapeIsOriginal(HikariDataSource admin) throws SQLException {
    return scalarLong(
                admin,
                "SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'phone'")
            == 0
        && scalarLong(
                admin,
                "SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'flag'"
                    + " AND atttypid = 'int4'::regtype")
            == 1
        && scalarLong(admin, "SELECT count(*) FROM pg_class WHERE relname LIKE 'users\\_\\_ifl%'")
            == 0;
  }

  /** The longest write that ran at any moment of the window, as the application measured it. */
  private static long longestWriteMillis(StatementLog log, long fromNanos, long toNanos) {
    return (long)
        StatementLog.latency(log.overlapping(fromNanos, toNanos, StatementLog.succeededWrites()))
            .max();
  }

  /** Inserted ids (by the application, never deleted) that the restored table lacks. */
  private static long missingInserts(HikariDataSource admin, List<Long> ids) throws SQLException {
    try (Connection c = admin.getConnection();
        var ps =
            c.prepareStatement(
                "SELECT count(*) FROM unnest(?::bigint[]) AS i(id) WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = i.id)")) {
      ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static String example() throws IOException {
    try (InputStream in = Demo.class.getResourceAsStream("/examples/users-add-phone.yaml")) {
      if (in == null) {
        throw new IOException("examples/users-add-phone.yaml is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static HikariDataSource pool(
      String url, int size, boolean application, boolean autosave) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url);
    cfg.setMaximumPoolSize(size);
    cfg.setPoolName(application ? "app" : "inflight");
    cfg.setExceptionOverride(new KeepOnStatementErrors());
    if (autosave) {
      // What the README recommends to applications: a prepared SELECT * whose result type
      // changes is re-prepared by the driver instead of failing once per connection.
      cfg.addDataSourceProperty("autosave", "conservative");
    }
    return new HikariDataSource(cfg);
  }

  private static String scalar(HikariDataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement();
        var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long scalarLong(HikariDataSource ds, String sql) throws SQLException {
    return Long.parseLong(scalar(ds, sql));
  }
}
