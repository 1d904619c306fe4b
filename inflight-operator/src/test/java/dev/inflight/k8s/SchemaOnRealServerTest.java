package dev.inflight.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated CRD on a real API server: it installs, the examples are valid, invalid resources
 * are refused with the schema's message, the server fills in the defaults, and status is a
 * subresource. None of this is checked by the Fabric8 mock server, which stores whatever it gets.
 */
@RealKubernetes
class SchemaOnRealServerTest {
  private static final String MINIMAL =
      """
      apiVersion: inflight.dev/v1alpha1
      kind: SchemaMigration
      metadata: {name: %s}
      spec:
        table: public.users
        changes: [{addColumn: {name: phone, type: text}}]
      %s""";

  private static String ns;

  @BeforeAll
  static void install(Cluster k8s) {
    Deploy.crd(k8s);
    ns = k8s.namespace("schema");
  }

  static Stream<Documents.Case> invalid() {
    return Documents.cases("/k8s/invalid-migrations.yaml").stream();
  }

  static Stream<Documents.Case> celRules() {
    return Stream.concat(
        Documents.cases("/k8s/cel-rules.yaml").stream(),
        Documents.cases("/k8s/cel-rules-database.yaml").stream());
  }

  private static GenericKubernetesResource yaml(String name, String extra) {
    return Serialization.unmarshal(MINIMAL.formatted(name, extra), GenericKubernetesResource.class);
  }

  @Test
  void crdInstallsWithItsPrinterColumnsAndStatusSubresource(Cluster k8s) {
    CustomResourceDefinition crd = Deploy.crd(k8s);
    var version = crd.getSpec().getVersions().get(0);
    assertThat(version.getAdditionalPrinterColumns())
        .extracting(c -> c.getName())
        .containsExactly(
            "Table", "Phase", "Progress", "Ready", "Rollback-Until", "Age", "Reason", "Message");
    assertThat(version.getSubresources().getStatus()).isNotNull();
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("smig");
  }

  /**
   * kubectl validates a CRD against the server's own schema for CRDs: before 1.23 that schema has
   * no {@code x-kubernetes-validations}, so a plain {@code kubectl apply -k deploy/} is refused
   * there and needs {@code --validate=false} (see README).
   */
  @Test
  void kubectlAcceptsTheCrdWhereTheServerKnowsCelRules(Cluster k8s) {
    Kubectl.Result r = k8s.kubectl().run("apply", "--dry-run=server", "-f", Deploy.CRD.toString());
    if (k8s.knowsCelRules()) {
      assertThat(r.ok()).as(r.err()).isTrue();
    } else {
      assertThat(r.ok()).isFalse();
      assertThat(r.err())
          .contains(
              "unknown field \"x-kubernetes-validations\" in"
                  + " io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps");
    }
  }

  @Test
  void kubectlExplainDescribesTheFieldsPeopleSet(Cluster k8s) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Kubectl.Result r = k8s.kubectl().run("explain", "smig.spec.cutover.lockTimeout");
              assertThat(r.ok()).as(r.err()).isTrue();
              assertThat(r.out()).contains("The longest wait for each lock the migration takes");
            });
    Kubectl.Result status = k8s.kubectl().run("explain", "smig.status.cutover");
    assertThat(status.ok()).as(status.err()).isTrue();
    assertThat(status.out()).contains("writesBlockedMillis", "Process ids of the sessions");
  }

  private static final String FLUX_KUSTOMIZATIONS = "kustomize.toolkit.fluxcd.io/";

  @Test
  void everyExampleIsAcceptedByAServerSideDryRun(Cluster k8s) {
    String examplesNs = k8s.namespace("examples");
    List<Path> files = Documents.yamlFiles(Path.of("examples"));
    assertThat(files).isNotEmpty();
    int migrations = 0;
    for (Path file : files) {
      for (GenericKubernetesResource doc : Documents.read(file)) {
        if (doc.getApiVersion().startsWith(FLUX_KUSTOMIZATIONS)) {
          // Flux's CRDs are not on this server; FluxHealthTest reads and evaluates these.
          continue;
        }
        HasMetadata accepted = k8s.admin().resource(doc).inNamespace(examplesNs).dryRun().create();
        assertThat(accepted.getMetadata().getName())
            .as("%s %s", file, doc.getKind())
            .isEqualTo(doc.getMetadata().getName());
        if ("SchemaMigration".equals(doc.getKind())) {
          migrations++;
        }
      }
    }
    assertThat(migrations).as("SchemaMigrations among the examples").isGreaterThanOrEqualTo(3);
    // A dry run stores nothing.
    assertThat(
            k8s.admin()
                .genericKubernetesResources("inflight.dev/v1alpha1", "SchemaMigration")
                .inNamespace(examplesNs)
                .list()
                .getItems())
        .isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void invalidResourceIsRejectedWithTheSchemasMessage(Documents.Case c, Cluster k8s) {
    assertThatThrownBy(() -> k8s.admin().resource(c.resource()).inNamespace(ns).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              // Compared without list indexes, which older servers leave out
              // (spec.changes.addColumn.type).
              assertThat(e.getMessage().replaceAll("\\[\\d+]", ""))
                  .contains(c.rejectedWith().replaceAll("\\[\\d+]", ""));
            });
  }

  /**
   * CEL rules ({@code x-kubernetes-validations}) are evaluated from Kubernetes 1.25 on. An older
   * server drops them from the CRD when it stores it and accepts what only they refuse; there the
   * operator's own validation refuses the resource instead (see OperatorOnRealServerTest).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("celRules")
  void celRuleRejectsWhereTheServerEvaluatesCel(Documents.Case c, Cluster k8s) {
    var create = k8s.admin().resource(c.resource()).inNamespace(ns);
    if (k8s.enforcesCelRules()) {
      assertThatThrownBy(create::create)
          .isInstanceOfSatisfying(
              KubernetesClientException.class,
              e -> {
                assertThat(e.getCode()).isEqualTo(422);
                assertThat(e.getMessage()).contains(c.rejectedWith());
              });
    } else {
      assertThat(create.dryRun().create().getMetadata().getName()).isEqualTo(c.name());
    }
  }

  static Stream<Arguments> immutableFields() {
    return Stream.of(
        Arguments.of("table", Map.of("table", "public.customers"), "spec.table is immutable"),
        Arguments.of(
            "changes",
            Map.of("changes", List.of(Map.of("dropColumn", Map.of("name", "phone")))),
            "spec.changes is immutable"),
        Arguments.of(
            "database",
            Map.of("database", Map.of("secretRef", Map.of("name", "other-db"))),
            "spec.database is immutable"));
  }

  /** One CEL rule each: an edit of an immutable field is refused with the rule's message. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("immutableFields")
  void anEditOfAnImmutableFieldIsRefusedWithItsRulesMessage(
      String field, Map<String, Object> spec, String message, Cluster k8s) {
    assumeTrue(k8s.enforcesCelRules(), "CEL rules are enforced from Kubernetes 1.25");
    var created =
        k8s.admin()
            .resource(yaml("immutable-" + field, "  database: {secretRef: {name: app-db}}\n"))
            .inNamespace(ns)
            .create();
    Map<String, Object> patch = Map.of("spec", spec);
    KubernetesClientException refused =
        assertThrows(
            KubernetesClientException.class,
            () ->
                k8s.admin()
                    .resource(created)
                    .inNamespace(ns)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(patch)));
    assertThat(refused.getCode()).isEqualTo(422);
    assertThat(refused.getMessage()).contains(message);
    // The control fields stay editable: the rules guard only what the plan is made of.
    Map<String, Object> control = Map.of("spec", Map.of("control", Map.of("action", "Pause")));
    var paused =
        k8s.admin()
            .resource(created)
            .inNamespace(ns)
            .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(control));
    assertThat(paused.getAdditionalProperties().get("spec").toString()).contains("Pause");
  }

  static Stream<Arguments> databasePresence() {
    Map<String, Object> database = Map.of("secretRef", Map.of("name", "app-db"));
    Map<String, Object> none = new HashMap<>();
    none.put("database", null); // a JSON merge patch removes a field set to null
    return Stream.of(
        Arguments.of("added", "", Map.of("database", database)),
        Arguments.of("removed", "  database: {secretRef: {name: app-db}}\n", none));
  }

  /**
   * The database rule's {@code has(self.database) == has(oldSelf.database)} half: a migration
   * created without {@code spec.database} cannot gain one (the operator's own Secret would take
   * over a plan made with another), and one created with it cannot lose it.
   */
  @ParameterizedTest(name = "database {0}")
  @MethodSource("databasePresence")
  void addingOrRemovingTheDatabaseIsRefusedWithItsRulesMessage(
      String transition, String created, Map<String, Object> spec, Cluster k8s) {
    var migration =
        k8s.admin().resource(yaml("database-" + transition, created)).inNamespace(ns).create();
    KubernetesClientException refused =
        assertThrows(
            KubernetesClientException.class,
            () ->
                k8s.admin()
                    .resource(migration)
                    .inNamespace(ns)
                    .patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        Serialization.asJson(Map.of("spec", spec))));
    assertThat(refused.getCode()).isEqualTo(422);
    assertThat(refused.getMessage()).contains("spec.database is immutable");
    var stored =
        k8s.admin()
            .genericKubernetesResources("inflight.dev/v1alpha1", "SchemaMigration")
            .inNamespace(ns)
            .withName(migration.getMetadata().getName())
            .get();
    @SuppressWarnings("unchecked")
    Map<String, Object> storedSpec =
        (Map<String, Object>) stored.getAdditionalProperties().get("spec");
    assertThat(storedSpec.containsKey("database")).isEqualTo(!created.isEmpty());
  }

  @Test
  void serverFillsInTheDefaultsOfThePresentSections(Cluster k8s) {
    var created =
        k8s.admin()
            .resource(yaml("defaults", "  backfill: {}\n  cutover: {}\n  control: {}\n"))
            .inNamespace(ns)
            .create();
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) created.getAdditionalProperties().get("spec");
    assertThat(spec)
        .containsEntry("deletionPolicy", "Retain")
        .containsEntry(
            "backfill",
            Map.of(
                "batchSize",
                10000,
                "parallelism",
                2,
                "targetBatchTime",
                "500ms",
                "maxRowsPerSecond",
                0,
                "maxReplicaLag",
                "10s",
                "maxReplicaLagBytes",
                "1GB",
                "maxSlotRetainedWal",
                "1GB",
                "maxActiveSessions",
                0))
        .containsEntry(
            "cutover", Map.of("mode", "Automatic", "lockTimeout", "2s", "maxAttempts", 30))
        .containsEntry(
            "control", Map.of("approvedPlanHash", "", "cutover", "Hold", "action", "Run"));
    // Sections left out are not filled in: structural defaulting starts from what is there.
    assertThat(spec).doesNotContainKeys("rollback", "approval");
  }

  @Test
  void statusIsASubresourceAndUnknownFieldsArePruned(Cluster k8s) {
    var created =
        k8s.admin()
            .resource(yaml("subresource", "status: {phase: Completed}\n"))
            .inNamespace(ns)
            .create();
    assertThat(created.getAdditionalProperties()).doesNotContainKey("status");
    assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);

    var withStatus =
        k8s.admin()
            .resource(created)
            .inNamespace(ns)
            .subresource("status")
            .patch(
                PatchContext.of(PatchType.JSON_MERGE),
                Serialization.asJson(
                    Map.of("status", Map.of("phase", "Backfilling", "notInTheSchema", 1))));
    assertThat(withStatus.getAdditionalProperties().get("status"))
        .isEqualTo(Map.of("phase", "Backfilling"));
    assertThat(withStatus.getMetadata().getGeneration())
        .as("a status change is not a new generation")
        .isEqualTo(1L);
    assertThat(Long.parseLong(withStatus.getMetadata().getResourceVersion()))
        .isGreaterThan(Long.parseLong(created.getMetadata().getResourceVersion()));
  }
}
