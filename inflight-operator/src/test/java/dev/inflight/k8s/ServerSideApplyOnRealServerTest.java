package dev.inflight.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.inflight.api.MigrationStatus;
import dev.inflight.operator.SchemaMigrationReconciler;
import dev.inflight.operator.resource.SchemaMigration;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator writes its status and its finalizer with server-side apply, as its own field
 * manager, and shares the resource with the people and GitOps tools that apply the spec: what each
 * manager owns is what the server's managedFields say, a spec apply by another manager neither
 * conflicts with the status nor erases it, and a status field someone else takes is taken back.
 */
@RealKubernetes
@ExtendWith(PostgresExtension.class)
class ServerSideApplyOnRealServerTest {
  private static final String NAME = "users-throttled";
  private static final String MIGRATION =
      "inflight-operator/src/test/resources/k8s/throttled-migration.yaml";
  private static final String GITOPS = "argocd-controller";
  private static final String OPERATOR = SchemaMigrationReconciler.FIELD_MANAGER;

  private String ns;
  private Apps apps;
  private Operators.Running operator;

  @BeforeAll
  static void install(Cluster k8s) {
    Deploy.crd(k8s);
    Deploy.manifests(k8s);
  }

  @BeforeEach
  void namespace(Cluster k8s) {
    ns = k8s.namespace("ssa");
    apps = new Apps(k8s, ns);
  }

  @AfterEach
  void stop(Cluster k8s) {
    if (operator != null) {
      operator.close();
    }
    Operators.clean(k8s, ns);
    Operators.assertNothingForbidden(k8s);
  }

  @Test
  void statusAndFinalizerAreTheOperatorsFieldsAndAGitOpsApplyOfTheSpecLeavesThem(
      Cluster k8s, TestDatabase db) throws Exception {
    Apps.users(db, 15_000);
    Operators.secret(k8s, ns, db);
    operator = Operators.start(k8s, "inflight-operator-0", false);
    applyAs(k8s, GITOPS, Path.of(MIGRATION));
    apps.awaitStatus(NAME, s -> s.progress() != null && s.progress().rowsCopied() > 0);

    SchemaMigration running = apps.migration(NAME).get();
    ManagedFieldsEntry status = entry(running, OPERATOR, "status").orElseThrow();
    assertThat(status.getOperation()).isEqualTo("Apply");
    assertThat(fields(status))
        .contains("\"f:status\"", "\"f:phase\"", "\"f:conditions\"", "\"f:observedGeneration\"")
        .doesNotContain("\"f:spec\"", "\"f:labels\"");
    ManagedFieldsEntry finalizer = entry(running, OPERATOR, "").orElseThrow();
    assertThat(finalizer.getOperation()).isEqualTo("Apply");
    assertThat(fields(finalizer))
        .contains("\"f:finalizers\"", "v:\\\"inflight.dev/cleanup\\\"")
        .doesNotContain("\"f:spec\"", "\"f:status\"");
    ManagedFieldsEntry gitops = entry(running, GITOPS, "").orElseThrow();
    assertThat(fields(gitops)).contains("\"f:spec\"").doesNotContain("\"f:status\"");

    // The GitOps tool applies a new revision of its document (no status, no finalizer, without
    // --force-conflicts): nothing the operator owns is in the way, and nothing of it is erased.
    Path faster = edited(Path.of(MIGRATION), "maxRowsPerSecond: 3000", "maxRowsPerSecond: 50000");
    applyAs(k8s, GITOPS, faster);
    SchemaMigration applied = apps.migration(NAME).get();
    assertThat(applied.getMetadata().getGeneration())
        .isEqualTo(running.getMetadata().getGeneration() + 1);
    assertThat(applied.getMetadata().getFinalizers()).containsExactly("inflight.dev/cleanup");
    assertThat(applied.getStatus()).isNotNull();
    assertThat(applied.getStatus().phase()).isIn("Backfilling", "Syncing", "CuttingOver");
    assertThat(applied.getSpec().backfill().maxRowsPerSecond()).isEqualTo(50_000L);
    apps.awaitStatus(
        NAME, s -> applied.getMetadata().getGeneration().equals(s.observedGeneration()));

    // Someone else writes a status field: without force the server refuses it and names the
    // operator as the field's manager; with force it is taken, and the operator's next apply
    // (forced, as every one of its applies) takes it back.
    String intruder =
        """
        {"apiVersion": "inflight.dev/v1alpha1", "kind": "SchemaMigration",
         "metadata": {"name": "%s", "namespace": "%s"},
         "status": {"message": "edited by hand"}}
        """
            .formatted(NAME, ns);
    assertThatThrownBy(() -> applyStatus(k8s, intruder, false))
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(409);
              assertThat(e.getMessage()).contains(OPERATOR).contains(".status.message");
            });
    applyStatus(k8s, intruder, true);
    MigrationStatus reclaimed =
        apps.awaitStatus(NAME, s -> s.message() != null && !s.message().equals("edited by hand"));
    assertThat(reclaimed.phase()).isNotBlank();
    await()
        .atMost(Apps.LONG)
        .until(
            () ->
                entry(apps.migration(NAME).get(), "someone", "status")
                    .map(e -> !fields(e).contains("\"f:message\""))
                    .orElse(true));

    apps.awaitStatus(NAME, Apps.phase("Completed"));
    assertThat(db.count("SELECT count(*) FROM users WHERE phone = ''")).isEqualTo(15_000);
    // The operator's status writes carry no resourceVersion: it met no conflict all along.
    assertThat(k8s.audit())
        .filteredOn(r -> Operators.USER.equals(r.user()) && "schemamigrations".equals(r.resource()))
        .isNotEmpty()
        .noneMatch(r -> r.code() == 409);

    // Deleting (deletionPolicy Retain): the operator removes its finalizer and the resource goes.
    Kubectl.Result deleted = k8s.kubectl().run("delete", "-n", ns, "smig/" + NAME, "--wait=false");
    assertThat(deleted.ok()).as(deleted.err()).isTrue();
    await().atMost(Apps.LONG).until(() -> apps.migration(NAME).get() == null);
    assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(15_000);
  }

  private void applyAs(Cluster k8s, String manager, Path file) {
    Kubectl.Result r =
        k8s.kubectl()
            .run(
                "apply",
                "--server-side",
                "--field-manager=" + manager,
                "-n",
                ns,
                "-f",
                file.toString());
    assertThat(r.ok()).as("kubectl apply --server-side as %s: %s", manager, r.err()).isTrue();
  }

  private void applyStatus(Cluster k8s, String json, boolean force) {
    k8s.admin()
        .resources(SchemaMigration.class)
        .inNamespace(ns)
        .resource(Serialization.unmarshal(json, SchemaMigration.class))
        .subresource("status")
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                .withFieldManager("someone")
                .withForce(force)
                .build());
  }

  private static Optional<ManagedFieldsEntry> entry(
      SchemaMigration m, String manager, String subresource) {
    List<ManagedFieldsEntry> entries = m.getMetadata().getManagedFields();
    return entries.stream()
        .filter(e -> manager.equals(e.getManager()))
        .filter(e -> subresource.equals(e.getSubresource() == null ? "" : e.getSubresource()))
        .findFirst();
  }

  private static String fields(ManagedFieldsEntry e) {
    return Serialization.asJson(e.getFieldsV1());
  }

  private static Path edited(Path file, String from, String to) throws Exception {
    String text = Files.readString(file);
    assertThat(text).contains(from);
    Path copy = Files.createTempFile("migration-", ".yaml");
    Files.writeString(copy, text.replace(from, to));
    return copy;
  }
}
