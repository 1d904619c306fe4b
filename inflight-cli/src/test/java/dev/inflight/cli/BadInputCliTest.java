package dev.inflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.testing.BadInputCorpus;
import dev.inflight.testing.DatabaseSnapshot;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The command line's side of invariant 6: a bad file makes {@code plan} and {@code apply} exit with
 * code 2 and exactly one line on stderr, {@code inflight: <reason>}, with nothing else printed, no
 * stack trace, and nothing changed in the database. One case of each kind of refusal: the YAML
 * reader, the structural validator, the expression guard, the planner's refusals and PostgreSQL's
 * own checks in the dry run.
 */
@ExtendWith(PostgresExtension.class)
class BadInputCliTest {

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "plan, yaml-tab-indentation.yaml",
    "apply, yaml-duplicate-key.yaml",
    "plan, unknown-operation.yaml",
    "apply, enum-cutover-mode.yaml",
    "apply, duration-overflows-days.yaml",
    "plan, table-does-not-exist.yaml",
    "apply, table-without-primary-key.yaml",
    "apply, table-nul-character.yaml",
    "plan, default-with-semicolon.yaml",
    "apply, default-dollar-quote-digit-tag.yaml",
    "apply, type-with-not-null.yaml",
    "plan, type-change-without-cast.yaml",
    "apply, default-with-subquery.yaml",
    "apply, drop-primary-key-index.yaml",
  })
  void exitsWithCodeTwoAndOneLineOnStderr(String command, String file, TestDatabase db) {
    BadInputCorpus.Case c = BadInputCorpus.named(file);
    BadInputCorpus.createReferenceSchema(db);
    List<String> before = DatabaseSnapshot.take(db);
    List<String> args =
        new ArrayList<>(List.of(command, "-f", c.file().toString(), "--jdbc-url", db.url()));
    if (command.equals("apply")) {
      args.add("--no-progress");
    }

    Run run = run(args.toArray(String[]::new));

    System.out.println(
        command
            + " "
            + file
            + " -> exit "
            + run.code()
            + ", stderr: "
            + run.err()
            + "stdout: "
            + run.out());
    assertThat(run.code())
        .as("exit code of %s %s; stderr: %s", command, file, run.err())
        .isEqualTo(ExitCodes.BAD_INPUT);
    List<String> errLines = run.err().lines().toList();
    assertThat(errLines).as("stderr").hasSize(1);
    assertThat(errLines.get(0))
        .startsWith("inflight: ")
        .contains(c.expected())
        .doesNotContain("Exception");
    assertThat(run.out()).as("stdout").isEmpty();
    assertThat(DatabaseSnapshot.take(db))
        .as("the database after %s %s", command, file)
        .containsExactlyElementsOf(before);
  }

  /** A bad option is bad input too, and must be refused before the migration is submitted. */
  @Test
  void applyWithAnUnreadableTimeoutChangesNothing(TestDatabase db, @TempDir Path dir)
      throws Exception {
    BadInputCorpus.createReferenceSchema(db);
    Path file = dir.resolve("users-add-phone.yaml");
    Files.writeString(
        file,
        """
        apiVersion: inflight.dev/v1alpha1
        kind: SchemaMigration
        metadata: {name: users-add-phone}
        spec:
          table: public.users
          changes:
            - addColumn: {name: phone, type: varchar(20)}
        """);
    List<String> before = DatabaseSnapshot.take(db);

    Run run =
        run(
            "apply",
            "-f",
            file.toString(),
            "--jdbc-url",
            db.url(),
            "--no-progress",
            "--timeout",
            "5y");

    assertThat(run.code()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err().lines().toList())
        .containsExactly(
            "inflight: --timeout: '5y' is not a duration; use a number with a unit ms, s, m, h or d, e.g. 500ms, 2s, 24h");
    assertThat(DatabaseSnapshot.take(db)).containsExactlyElementsOf(before);
  }

  private record Run(int code, String out, String err) {}

  /** Runs the command line with stdout and stderr captured, restoring both afterwards. */
  private static Run run(String... args) {
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = Main.run(args);
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
