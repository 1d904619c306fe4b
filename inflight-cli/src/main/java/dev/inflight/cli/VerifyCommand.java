package dev.inflight.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.inflight.engine.Engine;
import dev.inflight.engine.ledger.MigrationRecord;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Compares the live table with what the migration says it must be. */
@Command(
    name = "verify",
    description =
        "Compare the live table's catalog (columns, constraints, indexes, triggers, policies, grants,"
            + " comments, publications, views, foreign keys, sequences) with what the migration planned.")
final class VerifyCommand implements Callable<Integer> {
  @Mixin MigrationFile file;
  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    String name = file.read().metadata().name();
    try (HikariDataSource ds = connection.open()) {
      Engine engine = Cli.engine(ds);
      Optional<MigrationRecord> m = engine.find(name);
      if (m.isEmpty()) {
        System.err.println("inflight: no migration named " + name + " in this database");
        return ExitCodes.FAILED;
      }
      Engine.Verification v = engine.verify(m.get().id());
      if (v.differences().isEmpty()) {
        System.out.println(
            m.get().table() + " (" + m.get().phase() + ") is identical to " + v.expected());
        return ExitCodes.OK;
      }
      System.out.println(
          m.get().table() + " (" + m.get().phase() + ") differs from " + v.expected() + ":");
      v.differences().forEach(d -> System.out.println("  " + d));
      return ExitCodes.FAILED;
    }
  }
}
