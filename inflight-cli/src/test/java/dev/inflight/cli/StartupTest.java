package dev.inflight.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;

/** What makes a command start fast keeps the command line as it was. */
class StartupTest {
  @Test
  void theCommandLineLogsWarningsAndErrorsOnStandardErrorWithoutAnXmlFile() {
    LoggerContext context = new LoggerContext();
    CliLogging.toStandardError(context);

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.WARN);
    assertThat(root.getAppender("ERR"))
        .isInstanceOfSatisfying(
            ConsoleAppender.class,
            a -> {
              assertThat(a.getTarget()).isEqualTo("System.err");
              assertThat(a.isStarted()).isTrue();
            });
    assertThat(context.getLogger("com.zaxxer.hikari").getEffectiveLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("dev.inflight.engine").isInfoEnabled()).isFalse();
  }

  @Test
  void aLogbackTestFileOnTheClassPathIsReadInstead() {
    CliLogging logging = new CliLogging();
    LoggerContext context = new LoggerContext();
    logging.setContext(context);

    assertThat(logging.configure(context)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("ERR")).isNull();
  }

  @Test
  void aCommandLineBuildsOnlyTheCommandItNamesAndTheHelpStillListsThemAll() {
    assertThat(Main.commandsFor("apply", "-f", "m.yaml")).containsExactly(ApplyCommand.class);
    assertThat(Main.commandsFor("operator")).hasSize(1);
    assertThat(Main.commandsFor("--help")).isEqualTo(Main.COMMANDS);
    assertThat(Main.commandsFor()).isEqualTo(Main.COMMANDS);

    CommandLineTest.Run help = CommandLineTest.inflight("--help");
    assertThat(help.code()).isZero();
    assertThat(help.out())
        .contains(
            "plan",
            "apply",
            "status",
            "rollback",
            "cancel",
            "finalize",
            "history",
            "verify",
            "demo",
            "operator");
    CommandLineTest.Run mistyped = CommandLineTest.inflight("aply", "-f", "m.yaml");
    assertThat(mistyped.code()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(mistyped.err()).contains("apply");
  }

  @Test
  void theTrainingRunOfTheArchiveNeedsNoDatabase() {
    assertThatCode(() -> StartupTraining.main(new String[0])).doesNotThrowAnyException();
  }
}
