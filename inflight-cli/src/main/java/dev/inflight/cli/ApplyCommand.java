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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Drives a migration to Completed (or a gate); resumes where an earlier run stopped. */
@Command(
    name = "apply",
    description =
        "Run the migration to Completed (or to the approval or cut-over gate). Run again to resume.")
final class ApplyCommand implements Callable<Integer> {
  @Mixin MigrationFile file;
  @Mixin ConnectionOptions connection;

  @Option(
      names = "--approve",
      paramLabel = "HASH",
      description = "approve this plan hash (with approval.required)")
  String approve;

  @Option(
      names = "--proceed",
      description = "with cutover.mode Manual: swap as soon as the shadow is in sync")
  boolean proceed;

  @Option(
      names = "--output",
      defaultValue = "text",
      description = "text or json (the final status)")
  String output;

  @Option(names = "--no-progress", description = "print lines instead of a progress bar")
  boolean noProgress;

  @Option(
      names = "--timeout",
      defaultValue = "7d",
      description = "stop (resumably) after this long, e.g. 30m")
  String timeout;

  @Override
  public Integer call() throws Exception {
    Duration limit = Cli.timeout(timeout);
    MigrationDocument doc = file.read();
    MigrationSpec spec =
        Controls.with(doc.spec(), Action.Run, approve, proceed ? Boolean.TRUE : null);
    String name = doc.metadata().name();
    try (HikariDataSource ds = connection.open()) {
      Engine engine = Cli.engine(ds);
      Optional<MigrationRecord> latest = engine.find(name);
      if (latest.isPresent() && latest.get().phase() == MigrationPhase.Finalized) {
        System.out.println(
            name
                + " was applied and finalized at "
                + latest.get().finishedAt()
                + "; nothing to do");
        return ExitCodes.OK;
      }
      MigrationRecord m = engine.submit(name, spec);
      System.out.println("migration " + name + " on " + m.table() + ", plan " + m.planHash());
      StepResult r;
      try (ProgressReporter progress =
          new ProgressReporter(
              engine, m.id(), System.out, !noProgress && System.console() != null)) {
        r = new Runner(engine, Clock.systemUTC()).run(m.id(), spec, limit, progress);
      }
      if ("json".equals(output)) {
        System.out.println(Cli.json().writeValueAsString(engine.status(m.id(), spec)));
      }
      return Outcome.report(
          r, MigrationPhase.Completed, file.file.toString(), System.out, System.err);
    }
  }
}
