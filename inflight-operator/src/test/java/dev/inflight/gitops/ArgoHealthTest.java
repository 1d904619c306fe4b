package dev.inflight.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.inflight.engine.MigrationPhase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.luaj.vm2.LuaError;

/**
 * The Argo CD health check as Argo CD's own suite runs a contributed one (TestLuaHealthScript in
 * argo-cd's util/lua): every entry of health_test.yaml, its inputPath resource evaluated by
 * health.lua, must give exactly the expected status and message. Here each runs twice, with the
 * libraries Argo CD gives a ConfigMap customization and with all of them (Argo CD's test mode).
 */
class ArgoHealthTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path TESTS = ArgoHealth.CUSTOMIZATION.resolve("health_test.yaml");
  private static final Path TESTDATA = ArgoHealth.CUSTOMIZATION.resolve("testdata");

  static Stream<Arguments> healthTests() throws Exception {
    List<Arguments> out = new ArrayList<>();
    for (JsonNode test : YAML.readTree(TESTS.toFile()).path("tests")) {
      String input = test.path("inputPath").asText();
      JsonNode expected = test.path("healthStatus");
      for (boolean openLibs : new boolean[] {false, true}) {
        out.add(
            Arguments.of(
                input,
                openLibs,
                expected.path("status").asText(),
                expected.path("message").asText()));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} (all libraries: {1}) -> {2}")
  @MethodSource("healthTests")
  void healthOfEachTestdataResource(String input, boolean openLibs, String status, String message)
      throws Exception {
    JsonNode resource = YAML.readTree(ArgoHealth.CUSTOMIZATION.resolve(input).toFile());
    ArgoHealth.Health health =
        ArgoHealth.evaluate(Files.readString(ArgoHealth.SCRIPT), resource, openLibs);
    assertThat(health).isEqualTo(new ArgoHealth.Health(status, message));
  }

  @Test
  void everyTestdataFileHasAnExpectation() throws Exception {
    Set<String> expected = new TreeSet<>();
    for (JsonNode test : YAML.readTree(TESTS.toFile()).path("tests")) {
      expected.add(test.path("inputPath").asText());
    }
    Set<String> files = new TreeSet<>();
    try (Stream<Path> list = Files.list(TESTDATA)) {
      list.forEach(p -> files.add("testdata/" + p.getFileName()));
    }
    assertThat(files).isEqualTo(expected);
  }

  /** Every phase, every gate, a stale generation, a deletion and a missing status are covered. */
  @Test
  void testdataCoversEveryPhaseGateAndEdge() throws Exception {
    Set<String> phases = new TreeSet<>();
    Set<String> reasons = new TreeSet<>();
    Set<String> reconciling = new TreeSet<>();
    boolean stale = false;
    boolean deleting = false;
    boolean noStatus = false;
    try (Stream<Path> list = Files.list(TESTDATA)) {
      for (Path p : list.toList()) {
        JsonNode r = YAML.readTree(p.toFile());
        JsonNode status = r.path("status");
        noStatus |= status.isMissingNode();
        phases.add(status.path("phase").asText());
        status.path("conditions").forEach(c -> reasons.add(c.path("reason").asText()));
        status
            .path("conditions")
            .forEach(
                c -> {
                  if (c.path("type").asText().equals("Reconciling")
                      && c.path("status").asText().equals("True")) {
                    reconciling.add(c.path("reason").asText());
                  }
                });
        stale |=
            status.path("observedGeneration").asLong(0)
                < r.path("metadata").path("generation").asLong(0);
        deleting |= r.path("metadata").has("deletionTimestamp");
      }
    }
    assertThat(phases).containsAll(Arrays.stream(MigrationPhase.values()).map(Enum::name).toList());
    assertThat(reasons)
        .contains(
            "AwaitingApproval",
            "AwaitingCutover",
            "Paused",
            "Throttled",
            "LockContention",
            "DatabaseUnavailable",
            "Failed",
            "Finished",
            "ActionRefused",
            "RetryingAfterErrors",
            "PlanRejected");
    // Every reason a wait that ends by itself is shown with: the operator's own (a copy slot, a
    // busy table, a database or API server that does not answer) and a step's.
    assertThat(reconciling)
        .as("reasons of Reconciling=True")
        .contains(
            "Queued",
            "WaitingForTable",
            "DatabaseUnavailable",
            "Retrying",
            "InternalError",
            "Throttled",
            "LockContention",
            "Busy",
            "RetryingAfterError");
    assertThat(stale).as("a stale observedGeneration").isTrue();
    assertThat(deleting).as("a deletion").isTrue();
    assertThat(noStatus).as("no status yet").isTrue();
  }

  /** The closed environment is real: what Argo CD does not give a script fails here too. */
  @Test
  void theRunnerGivesOnlyWhatArgoCdGives() throws Exception {
    JsonNode none = YAML.readTree("{}");
    String upper = "return {status = (\"healthy\"):upper(), message = string.rep(\"x\", 2)}";
    assertThatThrownBy(() -> ArgoHealth.evaluate(upper, none, false)).isInstanceOf(LuaError.class);
    assertThat(ArgoHealth.evaluate(upper, none, true).status()).isEqualTo("Unknown");
    assertThatThrownBy(() -> ArgoHealth.evaluate("return {status = io.read()}", none, false))
        .isInstanceOf(LuaError.class);
    assertThat(
            ArgoHealth.evaluate(
                "local os = require(\"os\") return {status = \"Healthy\", message = \"\" .. os.time()}",
                none,
                false))
        .extracting(ArgoHealth.Health::status)
        .isEqualTo("Healthy");
  }

  /** Lua 5.1, as gopher-lua: 5.2's goto does not compile. */
  @Test
  void scriptsRunUnderLua51() {
    JsonNode none = YAML.createObjectNode();
    assertThatThrownBy(
            () ->
                ArgoHealth.evaluate("goto done ::done:: return {status = \"Healthy\"}", none, true))
        .isInstanceOf(LuaError.class);
  }

  @Test
  void configMapPatchEmbedsTheScriptUnchanged() throws Exception {
    JsonNode patch = YAML.readTree(Path.of("deploy/argocd/argocd-cm-patch.yaml").toFile());
    String embedded =
        patch
            .path("data")
            .path("resource.customizations.health.inflight.dev_SchemaMigration")
            .asText();
    assertThat(embedded).isEqualTo(Files.readString(ArgoHealth.SCRIPT));
  }
}
