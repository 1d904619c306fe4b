package dev.inflight.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Argo CD health check and kstatus agree with DESIGN.md on every kind of status: Healthy when
 * the intent is reached, Suspended while waiting for a person, Degraded when stalled, Progressing
 * otherwise; and kstatus keeps a migration at a gate InProgress so a Flux wait does not pass it.
 */
class ArgoHealthTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static Stream<Arguments> samples() {
    return Stream.of(
        Arguments.of("no-status.yaml", "Progressing", "InProgress"),
        Arguments.of("generation-not-observed.yaml", "Progressing", "InProgress"),
        Arguments.of("backfilling.yaml", "Progressing", "InProgress"),
        Arguments.of("awaiting-approval.yaml", "Suspended", "InProgress"),
        Arguments.of("awaiting-cutover.yaml", "Suspended", "InProgress"),
        Arguments.of("paused.yaml", "Suspended", "InProgress"),
        Arguments.of("completed.yaml", "Healthy", "Current"),
        Arguments.of("rolled-back.yaml", "Healthy", "Current"),
        Arguments.of("failed.yaml", "Degraded", "Failed"),
        Arguments.of("plan-rejected.yaml", "Degraded", "Failed"),
        Arguments.of("database-unavailable.yaml", "Progressing", "InProgress"));
  }

  @ParameterizedTest(name = "{0} -> Argo CD {1}, kstatus {2}")
  @MethodSource("samples")
  void healthOfSampleStatus(String file, String argo, String kstatus) throws Exception {
    JsonNode resource = YAML.readTree(ArgoHealthTest.class.getResource("/argocd/" + file));
    ArgoHealth.Health health = ArgoHealth.evaluate(resource);
    assertThat(health.status()).isEqualTo(argo);
    assertThat(health.message()).isNotBlank();
    assertThat(ArgoHealth.kstatus(resource)).isEqualTo(kstatus);
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
