package dev.inflight.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.engine.Engine;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.Runner;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.ledger.MigrationRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Rollback, cancel and finalize: the control action of the same name, run until it settles. */
abstract class ActionCommand implements Callable<Integer> {
  @Mixin MigrationFile file;
  @Mixin ConnectionOptions connection;

  @Option(names = "--no-progress", description = "print lines instead of a progress bar")
  boolean noProgress;

  @Option(
      names = "--timeout",
      defaultValue = "1d",
      description = "stop (resumably) after this long")
  String timeout;

  abstract Action action();

  abstract MigrationPhase goal();

  @Override
  public Integer call() throws Exception {
    Duration limit = Cli.timeout(timeout);
    MigrationDocument doc = file.read();
    MigrationSpec spec = Controls.with(doc.spec(), action(), null, null);
    String name = doc.metadata().name();
    try (HikariDataSource ds = connection.open()) {
      Engine engine = Cli.engine(ds);
      Optional<MigrationRecord> found = engine.find(name);
      if (found.isEmpty()) {
        System.err.println("inflight: no migration named " + name + " in this database");
        return ExitCodes.FAILED;
      }
      MigrationRecord m = found.get();
      if (m.phase() == goal()) {
        System.out.println(name + " is already " + goal());
        return ExitCodes.OK;
      }
      if (m.phase().terminal()) {
        System.err.println(
            "inflight: "
                + name
                + " is "
                + m.phase()
                + "; nothing to "
                + action().name().toLowerCase());
        return ExitCodes.FAILED;
      }
      StepResult r;
      try (ProgressReporter progress =
          new ProgressReporter(
              engine, m.id(), System.out, !noProgress && System.console() != null)) {
        r = new Runner(engine, Clock.systemUTC()).run(m.id(), spec, limit, progress);
      }
      return Outcome.report(r, goal(), file.file.toString(), System.out, System.err);
    }
  }
}
