package dev.inflight.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.MigrationStatus;
import dev.inflight.api.SpecReader;
import dev.inflight.engine.Engine;
import dev.inflight.engine.Json;
import dev.inflight.engine.ledger.MigrationRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Shows one migration's status (as the resource would), or lists the migrations. */
@Command(
    name = "status",
    description = "Show a migration's status (-f or --name), or list migrations.")
final class StatusCommand implements Callable<Integer> {
  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "SchemaMigration YAML file")
  Path file;

  @Option(names = "--name", description = "migration name (metadata.name)")
  String name;

  @Option(names = "--output", defaultValue = "text", description = "text or json")
  String output;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    String wanted = name;
    MigrationSpec spec = null;
    if (file != null) {
      var doc = new SpecReader().read(file);
      wanted = doc.metadata().name();
      spec = doc.spec();
    }
    try (HikariDataSource ds = connection.open()) {
      Engine engine = Cli.engine(ds);
      if (wanted == null) {
        List<MigrationRecord> all = engine.list(50);
        System.out.printf(
            "%-28s %-24s %-16s %10s  %s%n", "NAME", "TABLE", "PHASE", "ROWS", "UPDATED");
        for (MigrationRecord m : all) {
          System.out.printf(
              "%-28s %-24s %-16s %10d  %s%n",
              m.name(), m.table(), m.phase(), m.rowsCopied(), m.updatedAt());
        }
        return ExitCodes.OK;
      }
      Optional<MigrationRecord> m = engine.find(wanted);
      if (m.isEmpty()) {
        System.err.println("inflight: no migration named " + wanted + " in this database");
        return ExitCodes.FAILED;
      }
      if (spec == null) {
        spec = Json.mapper().readValue(m.get().specJson(), MigrationSpec.class);
      }
      MigrationStatus s = engine.status(m.get().id(), spec);
      if ("json".equals(output)) {
        System.out.println(Cli.json().writeValueAsString(s));
      } else {
        print(wanted, m.get(), s);
      }
      return ExitCodes.OK;
    }
  }

  private static void print(String name, MigrationRecord m, MigrationStatus s) {
    System.out.println("migration:  " + name + " (" + m.table() + ")");
    System.out.println("phase:      " + s.phase() + " - " + s.message());
    var p = s.progress();
    System.out.printf(
        "progress:   %d%%  %d of ~%d rows copied, %d rows/s%s, backlog %d keys%n",
        p.percent(),
        p.rowsCopied(),
        p.rowsEstimated(),
        p.rowsPerSecond(),
        p.etaSeconds() == null ? "" : ", ETA " + p.etaSeconds() + "s",
        p.logBacklog());
    for (String blind : p.blindThrottles()) {
      System.out.println("throttle:   " + blind);
    }
    var c = s.cutover();
    System.out.printf(
        "cut-over:   %d attempts, writes blocked at most %d ms in one, %d ms in all%s%s%n",
        c.attempts(),
        c.writesBlockedMillis(),
        c.writesBlockedTotalMillis(),
        c.completedAt() == null ? "" : ", done " + c.completedAt(),
        c.lastError() == null ? "" : ", last error: " + c.lastError());
    if (!c.blockedBy().isEmpty()) {
      System.out.println("blocked by: " + String.join(", ", c.blockedBy()));
    }
    var r = s.rollback();
    System.out.println(
        "rollback:   "
            + (r.available()
                ? "available until " + r.until() + " (archived table " + r.archivedTable() + ")"
                : "not available"));
    if (s.lastError() != null) {
      System.out.println("last error: " + s.lastError());
    }
    System.out.println("plan:       " + s.plan().hash());
    for (String w : s.plan().warnings()) {
      System.out.println("warning:    " + w);
    }
    System.out.println("conditions:");
    for (var cond : s.conditions()) {
      System.out.printf(
          "  %-18s %-5s %s%s%n",
          cond.type(),
          cond.status(),
          cond.reason(),
          cond.message() == null || cond.message().isEmpty() ? "" : " - " + cond.message());
    }
  }
}
