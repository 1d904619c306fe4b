package dev.inflight.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Flux example's healthCheckExprs, evaluated with CEL as kustomize-controller evaluates them,
 * give the expected kstatus result for every resource of the Argo CD health check's testdata:
 * Current when the intent is reached, Failed when Stalled, InProgress otherwise (gates included, so
 * a Flux wait holds at them).
 */
class FluxHealthTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final Path EXAMPLE = Path.of("examples/gitops/flux/kustomizations.yaml");
  private static final Path TESTDATA = ArgoHealth.CUSTOMIZATION.resolve("testdata");

  static FluxHealth schemaMigrationCheck() throws Exception {
    List<JsonNode> found = new ArrayList<>();
    for (JsonNode doc :
        YAML.readValues(YAML.createParser(EXAMPLE.toFile()), JsonNode.class).readAll()) {
      for (JsonNode check : doc.path("spec").path("healthCheckExprs")) {
        if (check.path("kind").asText().equals("SchemaMigration")
            && check.path("apiVersion").asText().equals("inflight.dev/v1alpha1")) {
          found.add(check);
        }
      }
    }
    assertThat(found).hasSize(1);
    return new FluxHealth(found.get(0));
  }

  static Map<String, String> expectations() throws Exception {
    Map<String, String> out = new TreeMap<>();
    YAML.readTree(FluxHealthTest.class.getResource("/gitops/flux-kstatus.yaml"))
        .properties()
        .forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  static Stream<String> testdata() throws Exception {
    return expectations().keySet().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("testdata")
  void kstatusOfEachTestdataResource(String file) throws Exception {
    JsonNode resource = YAML.readTree(TESTDATA.resolve(file).toFile());
    String expected = expectations().get(file);
    FluxHealth check = schemaMigrationCheck();
    if (expected.equals("error")) {
      assertThatThrownBy(() -> check.evaluate(resource))
          .isInstanceOf(FluxHealth.EvaluationError.class);
    } else {
      assertThat(check.evaluate(resource)).isEqualTo(FluxHealth.Status.valueOf(expected));
    }
  }

  @Test
  void everyTestdataFileHasAnExpectation() throws Exception {
    Set<String> files = new TreeSet<>();
    try (Stream<Path> list = Files.list(TESTDATA)) {
      list.forEach(p -> files.add(p.getFileName().toString()));
    }
    assertThat(expectations().keySet()).isEqualTo(files);
  }

  /**
   * Why exists(): with the Ready condition absent, filter().all() is true (all of nothing), so a
   * current expression written that way would pass a migration that never said it was Ready.
   */
  @Test
  void filterAllIsTrueForAnAbsentConditionExistsIsNot() throws Exception {
    ObjectNode resource = (ObjectNode) YAML.readTree(TESTDATA.resolve("backfilling.yaml").toFile());
    ObjectNode status = (ObjectNode) resource.path("status");
    List<JsonNode> withoutReady = new ArrayList<>();
    status
        .path("conditions")
        .forEach(
            c -> {
              if (!c.path("type").asText().equals("Ready")) {
                withoutReady.add(c);
              }
            });
    status.putArray("conditions").addAll(withoutReady);
    ObjectNode filterAll = YAML.createObjectNode();
    filterAll.put(
        "current", "status.conditions.filter(c, c.type == 'Ready').all(c, c.status == 'True')");
    assertThat(new FluxHealth(filterAll).evaluate(resource)).isEqualTo(FluxHealth.Status.Current);
    ObjectNode exists = YAML.createObjectNode();
    exists.put("current", "status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')");
    assertThat(new FluxHealth(exists).evaluate(resource)).isEqualTo(FluxHealth.Status.InProgress);
  }
}
