package dev.inflight.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Installs what {@code deploy/} holds, the way a platform team does, with kubectl. */
final class Deploy {
  static final Path CRD = Path.of("deploy/crds/schemamigrations.inflight.dev-v1.yml");
  static final Path MANIFESTS = Path.of("deploy/manifests");
  static final String CRD_NAME = "schemamigrations.inflight.dev";

  /** The operator's namespace and service account, as deploy/manifests names them. */
  static final String OPERATOR_NAMESPACE = "inflight-system";

  static final String OPERATOR_ACCOUNT = "inflight-operator";

  private Deploy() {}

  /**
   * Applies the CRD (again: kubectl apply is idempotent) and waits until it is served. Servers
   * before 1.23 do not know the {@code x-kubernetes-validations} field, and kubectl refuses to send
   * a field the server's schema lacks unless told {@code --validate=false}; the server then drops
   * the CEL rules.
   */
  static CustomResourceDefinition crd(Cluster k8s) {
    Kubectl.Result r =
        k8s.knowsCelRules()
            ? k8s.kubectl().run("apply", "-f", CRD.toString())
            : k8s.kubectl().run("apply", "--validate=false", "-f", CRD.toString());
    assertThat(r.ok()).as("kubectl apply -f %s: %s", CRD, r.err()).isTrue();
    Kubectl.Result established =
        k8s.kubectl()
            .run(
                Duration.ofSeconds(90),
                "wait",
                "--for=condition=Established",
                "--timeout=60s",
                "crd/" + CRD_NAME);
    assertThat(established.ok()).as("CRD established: %s", established.err()).isTrue();
    return k8s.admin().apiextensions().v1().customResourceDefinitions().withName(CRD_NAME).get();
  }

  /**
   * Applies {@code deploy/manifests} (the namespace, the service account, the RBAC, the Deployment
   * and the Service) as one kustomization, the way {@code kubectl apply -k deploy/} installs them
   * after the CRD.
   */
  static void manifests(Cluster k8s) {
    Kubectl.Result r = k8s.kubectl().run("apply", "-k", MANIFESTS.toString());
    assertThat(r.ok()).as("kubectl apply -k %s: %s", MANIFESTS, r.err()).isTrue();
  }

  /** The files {@code deploy/manifests/kustomization.yaml} lists, in its order. */
  static List<Path> manifestFiles() {
    try {
      JsonNode k =
          new ObjectMapper(new YAMLFactory())
              .readTree(MANIFESTS.resolve("kustomization.yaml").toFile());
      List<Path> files = new ArrayList<>();
      k.get("resources").forEach(n -> files.add(MANIFESTS.resolve(n.asText())));
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
