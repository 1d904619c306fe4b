package dev.inflight.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alerting rules as Prometheus loads them: {@code promtool check rules} accepts the file and
 * {@code promtool test rules} passes its unit tests, which show every alert both firing and not
 * firing. promtool comes from scripts/promtool.sh (PATH, the cache, or Debian's package); without
 * one these tests fail, they do not skip.
 */
class PromtoolTest {
  static final Path RULES = Path.of("deploy/monitoring/prometheus-rules.yaml");
  static final Path RULE_TESTS = Path.of("deploy/monitoring/prometheus-rules.test.yaml");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static String promtool;

  /** What a command printed and how it ended. */
  record Run(int exit, String output) {}

  @BeforeAll
  static void findPromtool() throws Exception {
    Run found = run(List.of("bash", "scripts/promtool.sh"), 30);
    if (found.exit() != 0) {
      fail(
          "promtool is needed to check the alerting rules and scripts/promtool.sh could not"
              + " provide it:\n"
              + found.output());
    }
    String[] lines = found.output().strip().split("\n");
    promtool = lines[lines.length - 1].strip();
  }

  @Test
  void promtoolAcceptsTheRuleFile() throws Exception {
    Run check = promtool("check", "rules", RULES.toString());
    assertThat(check.exit()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS: " + alerts().size() + " rules found");
  }

  @Test
  void theRulesPassTheirUnitTests() throws Exception {
    Run test = promtool("test", "rules", RULE_TESTS.toString());
    assertThat(test.exit()).as(test.output()).isZero();
    assertThat(test.output()).contains("SUCCESS");
  }

  /** Each alert has a test where it fires and one where it stays quiet. */
  @Test
  void everyAlertIsTestedFiringAndNotFiring() throws Exception {
    Set<String> firing = new TreeSet<>();
    Set<String> quiet = new TreeSet<>();
    for (JsonNode test : YAML.readTree(RULE_TESTS.toFile()).path("tests")) {
      for (JsonNode t : test.path("alert_rule_test")) {
        String alert = t.path("alertname").asText();
        (t.path("exp_alerts").isEmpty() ? quiet : firing).add(alert);
      }
    }
    assertThat(firing).containsExactlyInAnyOrderElementsOf(alerts());
    assertThat(quiet).containsExactlyInAnyOrderElementsOf(alerts());
  }

  /** The exit codes are read: a broken rule and a wrong expectation are caught. */
  @Test
  void aBrokenRuleOrAWrongExpectationFails(@TempDir Path dir) throws Exception {
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(
        broken,
        Files.readString(RULES)
            .replace(
                "max by (namespace, name) (inflight_migration_condition{condition=\"Stalled\"}) == 1",
                "max by (namespace, name) (inflight_migration_condition{condition=\"Stalled\"} == 1"));
    assertThat(promtool("check", "rules", broken.toString()).exit()).isNotZero();

    Files.copy(RULES, dir.resolve(RULES.getFileName()));
    Path wrong = dir.resolve("wrong.test.yaml");
    Files.writeString(
        wrong, Files.readString(RULE_TESTS).replace("name: stuck", "name: somebody-else"));
    assertThat(promtool("test", "rules", wrong.toString()).exit()).isNotZero();
  }

  /** A promtool that is not there is an error with what to do, never a silent pass. */
  @Test
  void aMissingPromtoolIsAnError() throws Exception {
    ProcessBuilder b = new ProcessBuilder("bash", "scripts/promtool.sh");
    b.environment().put("INFLIGHT_PROMTOOL", "/nonexistent/promtool");
    Run found = run(b, 1);
    assertThat(found.exit()).isNotZero();
    assertThat(found.output()).contains("INFLIGHT_PROMTOOL=/nonexistent/promtool does not run");
  }

  private static Set<String> alerts() throws IOException {
    Set<String> out = new TreeSet<>();
    for (JsonNode group : YAML.readTree(RULES.toFile()).path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        out.add(rule.path("alert").asText());
      }
    }
    return out;
  }

  private static Run promtool(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(promtool));
    command.addAll(List.of(args));
    return run(command, 2);
  }

  private static Run run(List<String> command, int minutes) throws Exception {
    return run(new ProcessBuilder(command), minutes);
  }

  private static Run run(ProcessBuilder builder, int minutes) throws Exception {
    // To a file, not a pipe: a first build of promtool prints more than a pipe holds.
    Path out = Files.createTempFile("promtool", ".out");
    try {
      Process p = builder.redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        fail(String.join(" ", builder.command()) + " did not finish in " + minutes + " minutes");
      }
      return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
