package dev.inflight.cli;

import dev.inflight.cli.demo.Demo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the demo on an embedded PostgreSQL server: nothing to install. */
@Command(
    name = "demo",
    description =
        "Start an embedded PostgreSQL, migrate a live table under load, roll back, report.")
final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--rows",
      defaultValue = "1000000",
      description = "rows in the demo table (default ${DEFAULT-VALUE})")
  int rows;

  @Option(names = "--writers", defaultValue = "4", description = "application writer threads")
  int writers;

  @Option(names = "--readers", defaultValue = "2", description = "application reader threads")
  int readers;

  @Option(
      names = "--rate",
      defaultValue = "100",
      description = "statements per second per application thread")
  int rate;

  @Override
  public Integer call() throws Exception {
    if (rows < 1000 || writers < 1 || readers < 0 || rate < 1) {
      throw new UsageProblem(
          "--rows must be at least 1000, --writers at least 1, --rate at least 1");
    }
    return new Demo(System.out, rows, writers, readers, rate).run()
        ? ExitCodes.OK
        : ExitCodes.FAILED;
  }
}
