package dev.inflight.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every example as a user applies it, with kubectl's strict field validation (the server's, on a
 * current cluster): client-side and server-side, each file of {@code examples/} and the GitOps
 * kustomization, and {@code kubectl explain} on the fields the README points people to. An unknown
 * or misspelt field in an example fails here rather than in a user's cluster.
 */
@RealKubernetes
class ExamplesOnRealServerTest {
  private static final Path EXAMPLES = Path.of("examples");

  @BeforeAll
  static void install(Cluster k8s) {
    Deploy.crd(k8s);
  }

  static List<Path> exampleFiles() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @Test
  void everyExampleAppliesClientSideAndServerSideWithStrictValidation(Cluster k8s)
      throws IOException {
    List<Path> files = exampleFiles();
    assertThat(files).hasSizeGreaterThanOrEqualTo(4);
    String clientSide = k8s.namespace("examples-csa");
    String serverSide = k8s.namespace("examples-ssa");
    for (Path file : files) {
      assertApplied(
          k8s.kubectl().run("apply", "--validate=strict", "-n", clientSide, "-f", file.toString()),
          "kubectl apply -f " + file);
      assertApplied(
          k8s.kubectl()
              .run(
                  "apply",
                  "--server-side",
                  "--validate=strict",
                  "-n",
                  serverSide,
                  "-f",
                  file.toString()),
          "kubectl apply --server-side -f " + file);
    }
    // The check is the server's: a misspelt field in the same document is refused.
    Path misspelt = Files.createTempFile("misspelt-", ".yaml");
    Files.writeString(
        misspelt,
        Files.readString(EXAMPLES.resolve("users-add-phone.yaml"))
            .replace("rollback: {retainFor: 24h}", "rollback: {retainfor: 24h}"));
    Kubectl.Result refused =
        k8s.kubectl()
            .run("apply", "--validate=strict", "-n", clientSide, "-f", misspelt.toString());
    assertThat(refused.ok()).as(refused.out()).isFalse();
    assertThat(refused.err()).contains("unknown field").contains("retainfor");
    // Left for no operator to find in the shared server.
    Operators.clean(k8s, clientSide);
    Operators.clean(k8s, serverSide);
  }

  @Test
  void theGitOpsKustomizationAppliesBothWays(Cluster k8s) {
    // The kustomization names its namespace, as an Argo CD or Flux application would.
    if (k8s.admin().namespaces().withName("shop").get() == null) {
      Kubectl.Result created = k8s.kubectl().run("create", "namespace", "shop");
      assertThat(created.ok()).as(created.err()).isTrue();
    }
    Kubectl.Result built = k8s.kubectl().run("kustomize", "examples/gitops");
    assertThat(built.ok()).as("kubectl kustomize examples/gitops: %s", built.err()).isTrue();
    assertThat(built.out()).contains("kind: SchemaMigration").contains("namespace: shop");
    assertApplied(
        k8s.kubectl().run("apply", "--validate=strict", "-k", "examples/gitops"),
        "kubectl apply -k examples/gitops");
    assertApplied(
        k8s.kubectl()
            .run(
                "apply",
                "--server-side",
                "--force-conflicts",
                "--field-manager=argocd-controller",
                "--validate=strict",
                "-k",
                "examples/gitops"),
        "kubectl apply --server-side -k examples/gitops");
    Kubectl.Result deleted = k8s.kubectl().run("delete", "-k", "examples/gitops", "--wait=false");
    assertThat(deleted.ok()).as(deleted.err()).isTrue();
  }

  @Test
  void kubectlExplainDescribesTheSpecFields(Cluster k8s) {
    assertExplains(k8s, "schemamigration.spec", "table", "changes", "database", "cutover");
    assertExplains(
        k8s,
        "schemamigration.spec.changes",
        "Applied to the new table in order",
        "addColumn",
        "alterColumnType",
        "createIndex",
        "sql");
    assertExplains(k8s, "schemamigration.spec.changes.addColumn", "name", "type", "default");
    assertExplains(k8s, "schemamigration.spec.database", "secretRef");
    assertExplains(k8s, "schemamigration.spec.cutover", "mode", "lockTimeout", "maxAttempts");
    assertExplains(k8s, "schemamigration.spec.backfill", "batchSize", "maxRowsPerSecond");
    assertExplains(k8s, "schemamigration.spec.control", "approvedPlanHash", "action");
    assertExplains(k8s, "smig.status.conditions", "type", "status", "reason");
    Kubectl.Result unknown = k8s.kubectl().run("explain", "schemamigration.spec.nosuchfield");
    assertThat(unknown.ok()).isFalse();
  }

  private static void assertExplains(Cluster k8s, String path, String... words) {
    Kubectl.Result r = k8s.kubectl().run("explain", path);
    assertThat(r.ok()).as("kubectl explain %s: %s", path, r.err()).isTrue();
    assertThat(r.out()).as("kubectl explain %s", path).contains("FIELD").contains(words);
  }

  private static void assertApplied(Kubectl.Result r, String what) {
    assertThat(r.ok()).as("%s: %s", what, r.err()).isTrue();
    assertThat(r.err()).as("%s warned", what).doesNotContain("Warning").doesNotContain("unknown");
  }
}
