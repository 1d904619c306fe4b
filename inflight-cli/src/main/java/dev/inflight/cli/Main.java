package dev.inflight.cli;

import dev.inflight.api.SpecException;
import dev.inflight.engine.EngineException;
import dev.inflight.engine.PlanRejectedException;
import dev.inflight.engine.sql.ConnectionFailure;
import dev.inflight.engine.sql.Errors;
import dev.inflight.operator.OperatorCommand;
import java.io.PrintWriter;
import java.sql.SQLException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code inflight <command>}: zero-downtime table migrations for PostgreSQL. */
@Command(
    name = "inflight",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Changes the shape of live PostgreSQL tables without downtime.",
    subcommands = {
      PlanCommand.class,
      ApplyCommand.class,
      StatusCommand.class,
      RollbackCommand.class,
      CancelCommand.class,
      FinalizeCommand.class,
      HistoryCommand.class,
      VerifyCommand.class,
      DemoCommand.class,
      OperatorCommand.class
    })
public final class Main {
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(Main::oneLine);
    return cli.execute(args);
  }

  private static int oneLine(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    int code;
    String message;
    if (e instanceof SpecException
        || e instanceof UsageProblem
        || e instanceof PlanRejectedException) {
      code = ExitCodes.BAD_INPUT;
      message = e.getMessage();
    } else if (e instanceof SQLException s) {
      // Settings that cannot open a session are the user's input, like the migration file.
      code = ConnectionFailure.of(s).isPresent() ? ExitCodes.BAD_INPUT : ExitCodes.FAILED;
      message = "database error: " + Errors.firstLine(String.valueOf(s.getMessage()));
    } else if (e instanceof EngineException) {
      code = ExitCodes.FAILED;
      message = e.getMessage();
    } else if (e instanceof InterruptedException) {
      code = ExitCodes.INTERRUPTED;
      message = "interrupted; run the same command again to resume";
    } else if (e.getCause() instanceof SQLException s) {
      code = ExitCodes.BAD_INPUT;
      message = "cannot connect: " + Errors.firstLine(String.valueOf(s.getMessage()));
    } else {
      code = ExitCodes.FAILED;
      message = e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    err.println("inflight: " + message);
    err.flush();
    return code;
  }

  /** The version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"inflight " + (v == null ? "development build" : v)};
    }
  }
}
