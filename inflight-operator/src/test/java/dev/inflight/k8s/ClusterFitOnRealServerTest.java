package dev.inflight.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/ as a current cluster takes it: kubectl apply client-side and server-side with the
 * server's schema validation on, least privilege as the server's authorizer answers it, and the
 * operator's pod admitted by Pod Security's {@code restricted} profile.
 */
@RealKubernetes
class ClusterFitOnRealServerTest {
  private static final String ACCOUNT =
      "system:serviceaccount:" + Deploy.OPERATOR_NAMESPACE + ":" + Deploy.OPERATOR_ACCOUNT;

  @BeforeAll
  static void install(Cluster k8s) {
    Deploy.crd(k8s);
    Deploy.manifests(k8s);
  }

  @Test
  void deployAndTheCrdApplyServerSideWithValidationOn(Cluster k8s) {
    for (Path file : Deploy.manifestFiles()) {
      Kubectl.Result r =
          k8s.kubectl()
              .run(
                  "apply",
                  "--server-side",
                  "--field-manager=platform-team",
                  "--force-conflicts",
                  "-f",
                  file.toString());
      assertThat(r.ok()).as("kubectl apply --server-side -f %s: %s", file, r.err()).isTrue();
    }
    Kubectl.Result crd =
        k8s.kubectl()
            .run("apply", "--server-side", "--force-conflicts", "-f", Deploy.CRD.toString());
    assertThat(crd.ok()).as(crd.err()).isTrue();
    assertThat(crd.err()).doesNotContain("validate=false");
  }

  @Test
  void theOperatorsAccountCanDoWhatRbacGrantsAndNothingElse(Cluster k8s) {
    assertCan(k8s, "yes", "watch", "schemamigrations.inflight.dev", "--all-namespaces");
    assertCan(k8s, "yes", "patch", "schemamigrations.inflight.dev/status", "-n", "shop");
    assertCan(k8s, "yes", "get", "secrets", "-n", "shop");
    assertCan(k8s, "yes", "create", "events.events.k8s.io", "-n", "shop");
    assertCan(k8s, "yes", "update", "leases.coordination.k8s.io", "-n", Deploy.OPERATOR_NAMESPACE);

    assertCan(k8s, "no", "list", "secrets", "-n", "shop");
    assertCan(k8s, "no", "watch", "secrets", "--all-namespaces");
    assertCan(k8s, "no", "create", "schemamigrations.inflight.dev", "-n", "shop");
    assertCan(k8s, "no", "delete", "schemamigrations.inflight.dev", "-n", "shop");
    assertCan(k8s, "no", "update", "schemamigrations.inflight.dev", "-n", "shop");
    assertCan(k8s, "no", "update", "leases.coordination.k8s.io", "-n", "shop");
    assertCan(k8s, "no", "create", "pods", "-n", Deploy.OPERATOR_NAMESPACE);
    assertCan(k8s, "no", "patch", "customresourcedefinitions.apiextensions.k8s.io");
  }

  @Test
  void theOperatorsPodIsAdmittedUnderTheRestrictedPodSecurityProfile(Cluster k8s) throws Exception {
    String ns = k8s.namespace("restricted");
    Kubectl.Result label =
        k8s.kubectl()
            .run(
                "label",
                "namespace",
                ns,
                "pod-security.kubernetes.io/enforce=restricted",
                "pod-security.kubernetes.io/warn=restricted");
    assertThat(label.ok()).as(label.err()).isTrue();
    Path pod = podOfTheDeployment(ns);

    Kubectl.Result admitted =
        k8s.kubectl().run("apply", "--dry-run=server", "-n", ns, "-f", pod.toString());
    assertThat(admitted.ok()).as(admitted.err()).isTrue();
    assertThat(admitted.err()).doesNotContain("violate");

    // The check is the admission's, not a lint: a privileged variant of the same pod is refused.
    ObjectNode privileged = (ObjectNode) YAML.readTree(pod.toFile());
    ((ObjectNode) privileged.at("/spec/containers/0/securityContext"))
        .put("allowPrivilegeEscalation", true);
    Path refusedFile = Files.createTempFile("privileged", ".yaml");
    YAML.writeValue(refusedFile.toFile(), privileged);
    Kubectl.Result refused =
        k8s.kubectl().run("apply", "--dry-run=server", "-n", ns, "-f", refusedFile.toString());
    assertThat(refused.ok()).isFalse();
    assertThat(refused.err()).contains("violates PodSecurity \"restricted");
  }

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** A Pod made from the Deployment's pod template, as its ReplicaSet would create it. */
  private static Path podOfTheDeployment(String ns) throws Exception {
    JsonNode deployment = YAML.readTree(Deploy.MANIFESTS.resolve("deployment.yaml").toFile());
    JsonNode template = deployment.at("/spec/template");
    ObjectNode pod = YAML.createObjectNode();
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    ObjectNode metadata = pod.putObject("metadata");
    metadata.put("name", "inflight-operator-probe");
    metadata.put("namespace", ns);
    pod.set("spec", template.get("spec").deepCopy());
    ((ObjectNode) pod.get("spec")).remove("serviceAccountName");
    Path file = Files.createTempFile("operator-pod", ".yaml");
    YAML.writeValue(file.toFile(), pod);
    return file;
  }

  private static void assertCan(Cluster k8s, String answer, String... question) {
    String[] args = new String[question.length + 4];
    args[0] = "auth";
    args[1] = "can-i";
    System.arraycopy(question, 0, args, 2, question.length);
    args[question.length + 2] = "--as";
    args[question.length + 3] = ACCOUNT;
    Kubectl.Result r = k8s.kubectl().run(args);
    assertThat(r.out().trim()).as("kubectl %s", String.join(" ", args)).isEqualTo(answer);
  }
}
