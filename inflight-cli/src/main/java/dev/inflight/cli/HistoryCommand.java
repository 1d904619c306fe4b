package dev.inflight.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.inflight.engine.ledger.Ledger;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Lists finished migrations, newest first. */
@Command(
    name = "history",
    description = "List finished migrations (like a migration tool's version table).")
final class HistoryCommand implements Callable<Integer> {
  @Mixin ConnectionOptions connection;

  @Option(names = "--limit", defaultValue = "50")
  int limit;

  @Option(names = "--output", defaultValue = "text", description = "text or json")
  String output;

  @Override
  public Integer call() throws Exception {
    try (HikariDataSource ds = connection.open()) {
      List<Ledger.HistoryEntry> entries = Cli.engine(ds).history(limit);
      if ("json".equals(output)) {
        System.out.println(Cli.json().writeValueAsString(entries));
        return ExitCodes.OK;
      }
      System.out.printf(
          "%-5s %-28s %-24s %-11s %10s %9s  %s%n",
          "ID", "NAME", "TABLE", "OUTCOME", "ROWS", "BLOCKED", "FINISHED");
      for (Ledger.HistoryEntry e : entries) {
        System.out.printf(
            "%-5d %-28s %-24s %-11s %10d %7dms  %s%n",
            e.migrationId(),
            e.name(),
            e.table(),
            e.outcome(),
            e.rowsCopied(),
            e.writesBlockedMillis(),
            e.finishedAt());
      }
      return ExitCodes.OK;
    }
  }
}
