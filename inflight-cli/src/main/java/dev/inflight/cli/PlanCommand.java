package dev.inflight.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.inflight.api.MigrationDocument;
import dev.inflight.engine.Engine;
import dev.inflight.engine.plan.Plan;
import dev.inflight.engine.plan.Planner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Prints the plan's SQL and hash; changes nothing. */
@Command(
    name = "plan",
    description = "Print the SQL a migration will run, and its hash. Changes nothing.")
final class PlanCommand implements Callable<Integer> {
  @Mixin MigrationFile file;
  @Mixin ConnectionOptions connection;

  @Option(names = "--output", defaultValue = "text", description = "text or json")
  String output;

  @Override
  public Integer call() throws Exception {
    MigrationDocument doc = file.read();
    try (HikariDataSource ds = connection.open()) {
      Engine engine = Cli.engine(ds);
      Plan plan = engine.plan(doc.spec());
      if ("json".equals(output)) {
        System.out.println(Cli.json().writeValueAsString(plan));
        return ExitCodes.OK;
      }
      for (String s : plan.display()) {
        System.out.println(s.startsWith("--") ? "\n" + s : s + ";");
      }
      System.out.println();
      System.out.printf(
          "table:     %s.%s (about %d rows, %s)%n",
          plan.schema(), plan.table(), plan.estimatedRows(), Planner.humanBytes(plan.tableBytes()));
      for (String w : plan.warnings()) {
        System.out.println("warning:   " + w);
      }
      System.out.println("plan hash: " + plan.hash());
      return ExitCodes.OK;
    }
  }
}
