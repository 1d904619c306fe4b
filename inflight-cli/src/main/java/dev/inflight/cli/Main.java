package dev.inflight.cli;

import dev.inflight.api.SpecException;
import dev.inflight.engine.EngineException;
import dev.inflight.engine.PlanRejectedException;
import dev.inflight.engine.sql.ConnectionFailure;
import dev.inflight.engine.sql.Errors;
import dev.inflight.operator.OperatorCommand;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code inflight <command>}: zero-downtime table migrations for PostgreSQL. */
@Command(
    name = "inflight",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Changes the shape of live PostgreSQL tables without downtime.")
public final class Main {
  /** The commands, in the order the help lists them. */
  static final List<Class<?>> COMMANDS =
      List.of(
          PlanCommand.class,
          ApplyCommand.class,
          StatusCommand.class,
          RollbackCommand.class,
          CancelCommand.class,
          FinalizeCommand.class,
          HistoryCommand.class,
          VerifyCommand.class,
          DemoCommand.class,
          OperatorCommand.class);

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code. */
  public static int run(String... args) {
    return commandLine(args).execute(args);
  }

  /** The command line that runs {@code args}. */
  static CommandLine commandLine(String... args) {
    CommandLine cli = new CommandLine(new Main());
    for (Class<?> command : commandsFor(args)) {
      cli.addSubcommand(command);
    }
    cli.setExecutionExceptionHandler(Main::oneLine);
    return cli;
  }

  /**
   * The commands to build for this command line: the one it names, else all (for the help, a
   * mistyped name, an option alone). picocli builds a command's model from its annotations by
   * reflection, which is a good part of every command's start; the others are never used.
   */
  static List<Class<?>> commandsFor(String... args) {
    if (args.length > 0) {
      for (Class<?> command : COMMANDS) {
        if (command.getAnnotation(Command.class).name().equals(args[0])) {
          return List.of(command);
        }
      }
    }
    return COMMANDS;
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
