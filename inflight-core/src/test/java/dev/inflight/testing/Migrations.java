package dev.inflight.testing;

import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.api.SpecReader;
import dev.inflight.engine.Engine;
import dev.inflight.engine.EngineSettings;
import dev.inflight.engine.Runner;
import dev.inflight.engine.StepResult;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;
import javax.sql.DataSource;

/** Building and driving migrations in tests. */
public final class Migrations {
  private Migrations() {}

  /** A document from YAML text (the whole SchemaMigration). */
  public static MigrationDocument document(String yaml) {
    return new SpecReader().parse(yaml, "test");
  }

  /**
   * A minimal document for {@code table} with the given YAML list of changes and extra spec lines.
   */
  public static MigrationDocument document(
      String name, String table, String changesYaml, String extraSpecYaml) {
    return document(
        "apiVersion: inflight.dev/v1alpha1\nkind: SchemaMigration\nmetadata: {name: "
            + name
            + "}\nspec:\n  table: "
            + table
            + "\n  changes:\n"
            + changesYaml.indent(4)
            + (extraSpecYaml == null ? "" : extraSpecYaml.indent(2)));
  }

  public static MigrationSpec withAction(MigrationSpec s, Action action) {
    return s.withAction(action);
  }

  public static MigrationSpec withControl(MigrationSpec s, MigrationSpec.ControlSpec control) {
    return s.withControl(control);
  }

  public static Engine engine(DataSource ds) {
    return engine(ds, EngineSettings.defaults().stepBudget());
  }

  /** An engine with a short step budget, so steps interleave with a test's workload. */
  public static Engine engine(DataSource ds, Duration stepBudget) {
    EngineSettings d = EngineSettings.defaults();
    EngineSettings s =
        new EngineSettings(
            stepBudget,
            500,
            2_000,
            d.cutoverBacklog(),
            d.ddlTimeout(),
            d.indexBuildTimeout(),
            5_000);
    return new Engine(
        ds, Clock.systemUTC(), s, java.util.random.RandomGenerator.of("L64X128MixRandom"));
  }

  /** Steps until the migration settles (done, failed, or waiting for a person). */
  public static StepResult run(
      Engine engine, long id, MigrationSpec spec, Consumer<StepResult> onStep) throws Exception {
    return new Runner(engine, Clock.systemUTC()).run(id, spec, Duration.ofMinutes(5), onStep);
  }

  public static StepResult run(Engine engine, long id, MigrationSpec spec) throws Exception {
    return run(engine, id, spec, r -> {});
  }
}
