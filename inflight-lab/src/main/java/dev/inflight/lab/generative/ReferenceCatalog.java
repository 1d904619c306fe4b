package dev.inflight.lab.generative;

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
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * The catalog a case must end with after each of its three commands: what the same migrations leave
 * on the same shape without load and without faults, run by the engine in this process. When others
 * create objects during the case, the reference has them from the start: an object created
 * meanwhile must end up exactly where one created before would.
 */
record ReferenceCatalog(List<String> completed, List<String> rolledBack, List<String> finalized) {
  static ReferenceCatalog compute(PgCluster cluster, GenerativeCase spec) throws Exception {
    String db = "gen_reference";
    cluster.admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)", "CREATE DATABASE " + db);
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(cluster.jdbcUrl(db));
    cfg.setMaximumPoolSize(3);
    cfg.setPoolName("gen-reference");
    try (HikariDataSource ds = new HikariDataSource(cfg)) {
      try (Connection c = ds.getConnection()) {
        for (String sql : spec.shape().createSql()) {
          c.createStatement().execute(sql);
        }
        GenerativeCase quiet =
            new GenerativeCase(
                spec.shape(),
                spec.change(),
                spec.activities(),
                Kill.NONE,
                new Random(1).nextLong());
        new GenerativeWorkload(ds, quiet).load(c, 10);
        if (spec.activities().contains(Activity.OTHERS_OBJECTS)) {
          OthersObjects.create(c, spec.shape());
        }
      }
      Engine engine =
          new Engine(
              ds, Clock.systemUTC(), EngineSettings.defaults(), RandomGenerator.getDefault());
      MigrationSpec first = parse(Migrations.FIRST, spec);
      long a = engine.submit(Migrations.FIRST, first).id();
      List<String> completed = runTo(engine, ds, a, first, MigrationPhase.Completed);
      List<String> rolledBack =
          runTo(
              engine,
              ds,
              a,
              first.withAction(MigrationSpec.Action.Rollback),
              MigrationPhase.RolledBack);
      MigrationSpec second = parse(Migrations.SECOND, spec);
      long b = engine.submit(Migrations.SECOND, second).id();
      runTo(engine, ds, b, second, MigrationPhase.Completed);
      List<String> finalized =
          runTo(
              engine,
              ds,
              b,
              second.withAction(MigrationSpec.Action.Finalize),
              MigrationPhase.Finalized);
      return new ReferenceCatalog(completed, rolledBack, finalized);
    } finally {
      cluster.admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
    }
  }

  private static MigrationSpec parse(String name, GenerativeCase spec) {
    MigrationDocument doc =
        new SpecReader().parse(Migrations.yaml(name, spec.change()), "generated case");
    return doc.spec();
  }

  private static List<String> runTo(
      Engine engine, HikariDataSource ds, long id, MigrationSpec spec, MigrationPhase goal)
      throws Exception {
    StepResult r =
        new Runner(engine, Clock.systemUTC()).run(id, spec, Duration.ofMinutes(5), x -> {});
    if (r.phase() != goal) {
      throw new SQLException(
          "the reference run ended in "
              + r.phase()
              + ", not "
              + goal
              + ": "
              + engine.get(id).failure());
    }
    try (Connection c = ds.getConnection()) {
      return CatalogLines.of(c);
    }
  }
}
