package dev.inflight.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/ as a current cluster takes it: kubectl apply client-side and server-side with the
 * server's schema validation on, least privilege as the server's authorizer answers it, and the
 * operator's pod admitted by Pod Security's {@code restricted} profile.
 */
@RealKubernetes
class ClusterFitOnRealServerTest {
  private static final String ACCOUNT =
      "system:serviceaccount:" + Deploy.OPERATOR_NAMESPACE + ":" + Deploy.OPERATOR_ACCOUNT;

  /**
   * The requests the operator makes in every namespace: it watches SchemaMigrations, patches their
   * status and their finalizer (server-side apply), reads the database Secret by name and records
   * Events. rbac.yaml grants these and nothing else cluster-wide.
   */
  private static final List<String> OPERATOR_NEEDS =
      List.of(
          "get schemamigrations.inflight.dev",
          "list schemamigrations.inflight.dev",
          "watch schemamigrations.inflight.dev",
          "patch schemamigrations.inflight.dev",
          "get schemamigrations.inflight.dev/status",
          "patch schemamigrations.inflight.dev/status",
          "update schemamigrations.inflight.dev/finalizers",
          "get secrets",
          "create events.events.k8s.io");

  /** An account in the operator's namespace (so in the same groups) that nothing is bound to. */
  private static final String UNBOUND_ACCOUNT =
      "system:serviceaccount:" + Deploy.OPERATOR_NAMESPACE + ":nobody";

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

  /**
   * The README's install command, {@code kubectl apply -k deploy/}, as a platform team runs it the
   * first time: on a server of its own with nothing installed, with strict validation, client-side
   * and server-side (without {@code --force-conflicts}, which a first apply must not need), and
   * again, as a GitOps tool re-applies. Neither apply may print a warning.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"client-side", "server-side"})
  void theReadmesInstallCommandAppliesToAFreshServerWithoutWarnings(String how) throws Exception {
    List<String> args = new ArrayList<>(List.of("apply", "--validate=strict", "-k", "deploy/"));
    if (how.equals("server-side")) {
      args.add(1, "--server-side");
    }
    Cluster fresh = Cluster.start();
    try {
      assertThat(fresh.admin().namespaces().withName(Deploy.OPERATOR_NAMESPACE).get())
          .as("a fresh server")
          .isNull();
      for (int round = 1; round <= 2; round++) {
        Kubectl.Result r = fresh.kubectl().run(args.toArray(String[]::new));
        assertThat(r.ok())
            .as("kubectl %s (%d): %s", String.join(" ", args), round, r.err())
            .isTrue();
        assertThat(r.err()).as("kubectl %s (%d)", String.join(" ", args), round).isBlank();
        assertThat(r.out())
            .contains(
                "customresourcedefinition.apiextensions.k8s.io/" + Deploy.CRD_NAME,
                "namespace/" + Deploy.OPERATOR_NAMESPACE,
                "serviceaccount/" + Deploy.OPERATOR_ACCOUNT,
                "clusterrole.rbac.authorization.k8s.io/inflight-operator",
                "deployment.apps/inflight-operator");
      }
      assertThat(
              fresh
                  .admin()
                  .apps()
                  .deployments()
                  .inNamespace(Deploy.OPERATOR_NAMESPACE)
                  .withName("inflight-operator")
                  .get())
          .isNotNull();
    } finally {
      fresh.close();
    }
  }

  /**
   * The server's own list of what the operator's account may do, in a workload namespace, in the
   * operator's namespace and cluster-wide, is exactly what rbac.yaml grants it plus what every
   * service account gets (the self-reviews and discovery URLs, read from an account nothing is
   * bound to): any right beyond rbac.yaml fails here, whoever grants it.
   */
  @Test
  void theOperatorsAccountCanDoWhatRbacGrantsAndNothingElse(Cluster k8s) {
    Path rbac = Deploy.MANIFESTS.resolve("rbac.yaml");
    Rights everyAccount = rightsOf(k8s, UNBOUND_ACCOUNT, "-n", "shop");
    assertThat(everyAccount.set())
        .as("what an account without bindings may do: review itself, discovery, trust bundles")
        .allMatch(
            r ->
                r.matches("create self\\w+reviews\\.(authentication|authorization)\\.k8s\\.io")
                    || r.matches("get /\\S*")
                    // Trust anchors, public by design (read by every account from 1.33 on).
                    || r.matches("(get|list|watch) clustertrustbundles\\.certificates\\.k8s\\.io"));

    assertThat(
            Rights.grantedBy(rbac, Deploy.OPERATOR_NAMESPACE, Deploy.OPERATOR_ACCOUNT, null).set())
        .as("rbac.yaml's cluster-wide grants, against the requests the operator makes")
        .containsExactlyInAnyOrderElementsOf(OPERATOR_NEEDS);
    // A review answers for one namespace: there it lists the ClusterRoleBindings' rights, on
    // cluster-scoped resources too, and the RoleBindings' of that namespace. A namespace created
    // now has no RoleBinding, so its list is the account's cluster-wide rights.
    for (String ns : List.of(k8s.namespace("elsewhere"), "shop", Deploy.OPERATOR_NAMESPACE)) {
      Rights granted =
          Rights.grantedBy(rbac, Deploy.OPERATOR_NAMESPACE, Deploy.OPERATOR_ACCOUNT, ns);
      assertThat(rightsOf(k8s, ACCOUNT, "-n", ns).set())
          .as("kubectl auth can-i --list -n %s, against rbac.yaml", ns)
          .containsExactlyElementsOf(granted.plus(everyAccount).set());
    }
  }

  /** The operator's requests, one by one, as the authorizer answers them. */
  @Test
  void theOperatorsAccountMayMakeItsRequestsAndNoOthers(Cluster k8s) {
    String smig = "schemamigrations.inflight.dev";
    String leases = "leases.coordination.k8s.io";
    String home = Deploy.OPERATOR_NAMESPACE;
    assertCan(k8s, "yes", "watch", smig, "--all-namespaces");
    assertCan(k8s, "yes", "patch", smig, "-n", "shop"); // the finalizer, by server-side apply
    assertCan(k8s, "yes", "patch", smig + "/status", "-n", "shop");
    assertCan(k8s, "yes", "update", smig, "--subresource=finalizers", "-n", "shop");
    assertCan(k8s, "yes", "get", "secrets", "-n", "shop");
    assertCan(k8s, "yes", "create", "events.events.k8s.io", "-n", "shop");
    assertCan(k8s, "yes", "create", leases, "-n", home);
    assertCan(k8s, "yes", "patch", leases, "-n", home);
    assertCan(k8s, "yes", "update", leases, "-n", home);

    assertCan(k8s, "no", "list", "secrets", "-n", "shop");
    assertCan(k8s, "no", "watch", "secrets", "--all-namespaces");
    assertCan(k8s, "no", "list", "secrets", "-n", home);
    for (String verb : List.of("create", "update", "delete", "deletecollection")) {
      assertCan(k8s, "no", verb, smig, "-n", "shop");
    }
    for (String verb : List.of("create", "update", "patch", "delete")) {
      assertCan(k8s, "no", verb, "secrets", "-n", "shop");
      assertCan(k8s, "no", verb, "configmaps", "-n", "shop");
      assertCan(k8s, "no", verb, "deployments.apps", "-n", home);
    }
    assertCan(k8s, "no", "patch", "events.events.k8s.io", "-n", "shop");
    assertCan(k8s, "no", "delete", "events.events.k8s.io", "-n", "shop");
    assertCan(k8s, "no", "create", "events", "-n", "shop"); // the core group's Events
    assertCan(k8s, "no", "delete", leases, "-n", home);
    assertCan(k8s, "no", "create", leases, "-n", "shop");
    assertCan(k8s, "no", "update", leases, "-n", "shop");
    assertCan(k8s, "no", "create", "pods", "-n", home);
    assertCan(k8s, "no", "impersonate", "serviceaccounts", "-n", home);
    assertCan(k8s, "no", "escalate", "clusterroles.rbac.authorization.k8s.io");
    assertCan(k8s, "no", "bind", "clusterroles.rbac.authorization.k8s.io");
    assertCan(k8s, "no", "create", "rolebindings.rbac.authorization.k8s.io", "-n", home);
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

    // The Deployment itself: Pod Security only warns for workloads, so the warning must be absent.
    ObjectNode deployment =
        (ObjectNode) YAML.readTree(Deploy.MANIFESTS.resolve("deployment.yaml").toFile());
    ((ObjectNode) deployment.get("metadata")).put("namespace", ns);
    Path deploymentFile = Files.createTempFile("deployment", ".yaml");
    YAML.writeValue(deploymentFile.toFile(), deployment);
    Kubectl.Result workload =
        k8s.kubectl().run("apply", "--dry-run=server", "-n", ns, "-f", deploymentFile.toString());
    assertThat(workload.ok()).as(workload.err()).isTrue();
    assertThat(workload.err()).doesNotContain("PodSecurity");
    ((ObjectNode) deployment.at("/spec/template/spec/containers/0/securityContext"))
        .put("allowPrivilegeEscalation", true);
    YAML.writeValue(deploymentFile.toFile(), deployment);
    Kubectl.Result warned =
        k8s.kubectl().run("apply", "--dry-run=server", "-n", ns, "-f", deploymentFile.toString());
    Files.delete(deploymentFile);
    assertThat(warned.err())
        .as("the same Deployment made privileged is warned about")
        .contains("would violate PodSecurity \"restricted");

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

  /** {@code kubectl auth can-i --list} for an account in a namespace. */
  private static Rights rightsOf(Cluster k8s, String account, String... where) {
    List<String> args = new ArrayList<>(List.of("auth", "can-i", "--list", "--no-headers"));
    args.addAll(List.of(where));
    args.addAll(List.of("--as", account));
    Kubectl.Result r = k8s.kubectl().run(args.toArray(String[]::new));
    assertThat(r.ok()).as("kubectl %s: %s", String.join(" ", args), r.err()).isTrue();
    return Rights.ofCanIList(r.out());
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
