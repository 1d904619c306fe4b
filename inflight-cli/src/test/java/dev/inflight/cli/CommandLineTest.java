package dev.inflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.api.ConditionType;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The command-line contract: commands, output, exit codes. */
@ExtendWith(PostgresExtension.class)
class CommandLineTest {
  /** What a command printed and returned. */
  record Run(int code, String out, String err) {}

  static synchronized Run inflight(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  private static Path example(Path dir) throws Exception {
    Path file = dir.resolve("users.yaml");
    Files.copy(Path.of("examples/users-add-phone.yaml"), file);
    return file;
  }

  private static void users(TestDatabase db) {
    db.exec(
        "CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL, status text NOT NULL DEFAULT 'active',"
            + " last_login timestamptz, flag integer NOT NULL DEFAULT 0)",
        "INSERT INTO users (name, flag) SELECT 'u' || g, g % 2 FROM generate_series(1, 3000) g");
  }

  @Test
  void planPrintsTheSqlAndHashAndChangesNothing(TestDatabase db, @TempDir Path dir)
      throws Exception {
    users(db);
    Run r = inflight("plan", "-f", example(dir).toString(), "--jdbc-url", db.url());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("CREATE TABLE \"public\".\"users__ifl_new\"")
        .contains(
            "LOCK TABLE \"public\".\"users\", \"public\".\"users__ifl_new\" IN ACCESS EXCLUSIVE MODE")
        .containsPattern("plan hash: sha256:[0-9a-f]{64}")
        .contains("warning:   the column list changes");
    assertThat(db.count("SELECT count(*) FROM pg_namespace WHERE nspname = 'inflight'")).isZero();
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname LIKE 'users\\_\\_%'"))
        .isZero();
  }

  @Test
  void applyStatusRollbackAndHistoryFollowTheContract(TestDatabase db, @TempDir Path dir)
      throws Exception {
    users(db);
    String file = example(dir).toString();
    Run apply = inflight("apply", "-f", file, "--jdbc-url", db.url(), "--no-progress");
    assertThat(apply.code()).as(apply.out() + apply.err()).isZero();
    assertThat(apply.out())
        .contains("Backfilling")
        .contains("CuttingOver")
        .contains("completed; rollback available until");

    Run again = inflight("apply", "-f", file, "--jdbc-url", db.url(), "--no-progress");
    assertThat(again.code()).isZero();
    assertThat(again.out()).contains("completed");

    Run status = inflight("status", "-f", file, "--jdbc-url", db.url(), "--output", "json");
    assertThat(status.code()).isZero();
    JsonNode s = new ObjectMapper().readTree(status.out());
    assertThat(s.path("phase").asText()).isEqualTo("Completed");
    assertThat(s.path("plan").path("hash").asText()).startsWith("sha256:");
    assertThat(s.path("progress").path("rowsCopied").asLong()).isEqualTo(3000);
    assertThat(s.path("rollback").path("available").asBoolean()).isTrue();
    assertThat(s.path("rollback").path("archivedTable").asText())
        .isEqualTo("public.users__ifl_old");
    assertThat(s.path("conditions"))
        .extracting(c -> c.path("type").asText())
        .containsExactlyInAnyOrder(
            Arrays.stream(ConditionType.values()).map(Enum::name).toArray(String[]::new));

    Run cancel = inflight("cancel", "-f", file, "--jdbc-url", db.url(), "--no-progress");
    assertThat(cancel.code()).isEqualTo(ExitCodes.FAILED);
    assertThat(cancel.err()).startsWith("inflight: ").contains("use Rollback");

    Run rollback = inflight("rollback", "-f", file, "--jdbc-url", db.url(), "--no-progress");
    assertThat(rollback.code()).as(rollback.err()).isZero();
    assertThat(
            db.count(
                "SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'phone'"))
        .isZero();

    Run history = inflight("history", "--jdbc-url", db.url());
    assertThat(history.code()).isZero();
    assertThat(history.out()).contains("users-add-phone").contains("RolledBack");
  }

  @Test
  void badInputAndMissingDatabaseExitWithOneLine(TestDatabase db, @TempDir Path dir)
      throws Exception {
    users(db);
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        "apiVersion: inflight.dev/v1alpha1\nkind: SchemaMigration\nmetadata: {name: x}\nspec:\n  table: public.users\n  changes:\n    - dropColumn: {name: nope}\n");
    Run refused = inflight("apply", "-f", bad.toString(), "--jdbc-url", db.url(), "--no-progress");
    assertThat(refused.code()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(refused.err().strip().lines()).hasSize(1);
    assertThat(refused.err())
        .startsWith("inflight: plan refused:")
        .contains("column \"nope\" does not exist");

    Run noDb = inflight("plan", "-f", bad.toString(), "--jdbc-url", "");
    assertThat(noDb.code()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(noDb.err()).contains("no database");

    Run unknown = inflight("status", "--name", "nothing-here", "--jdbc-url", db.url());
    assertThat(unknown.code()).isEqualTo(ExitCodes.FAILED);
    assertThat(unknown.err()).contains("no migration named nothing-here");
  }
}
