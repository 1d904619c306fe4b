package dev.inflight.lab.chaos;

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
import dev.inflight.workload.PgCluster;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * The catalog as a run without faults and without load leaves it, after the migration and after its
 * rollback: what every trial's catalog must equal.
 */
record References(Shape completed, Shape rolledBack) {
  static References compute(PgCluster cluster) throws Exception {
    cluster.admin("DROP DATABASE IF EXISTS chaos_reference", "CREATE DATABASE chaos_reference");
    String url = cluster.jdbcUrl("chaos_reference");
    try {
      Items.create(url, 1000);
      HikariConfig cfg = new HikariConfig();
      cfg.setJdbcUrl(url);
      cfg.setMaximumPoolSize(2);
      try (HikariDataSource ds = new HikariDataSource(cfg)) {
        Engine engine =
            new Engine(
                ds, Clock.systemUTC(), EngineSettings.defaults(), RandomGenerator.getDefault());
        MigrationDocument doc =
            new SpecReader().parse(Items.migration(Trial.NAME, 1000), "reference");
        long id = engine.submit(doc.metadata().name(), doc.spec()).id();
        Shape completed = runTo(engine, ds, id, doc.spec(), MigrationPhase.Completed);
        MigrationSpec rollback =
            new MigrationSpec(
                doc.spec().database(),
                doc.spec().table(),
                doc.spec().changes(),
                doc.spec().backfill(),
                doc.spec().cutover(),
                doc.spec().rollback(),
                doc.spec().approval(),
                new MigrationSpec.ControlSpec(
                    doc.spec().control().approvedPlanHash(),
                    doc.spec().control().cutover(),
                    MigrationSpec.Action.Rollback),
                doc.spec().deletionPolicy());
        Shape rolledBack = runTo(engine, ds, id, rollback, MigrationPhase.RolledBack);
        return new References(completed, rolledBack);
      }
    } finally {
      cluster.admin("DROP DATABASE IF EXISTS chaos_reference WITH (FORCE)");
    }
  }

  private static Shape runTo(
      Engine engine, HikariDataSource ds, long id, MigrationSpec spec, MigrationPhase goal)
      throws Exception {
    StepResult r =
        new Runner(engine, Clock.systemUTC()).run(id, spec, Duration.ofMinutes(5), x -> {});
    if (r.phase() != goal) {
      throw new SQLException(
          "the reference migration ended in " + r.phase() + ", not " + goal + ": " + r);
    }
    try (Connection c = ds.getConnection()) {
      return Shape.of(c);
    }
  }
}
