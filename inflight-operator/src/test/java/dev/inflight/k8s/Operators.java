package dev.inflight.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.engine.EngineSettings;
import dev.inflight.operator.OperatorApp;
import dev.inflight.operator.resource.SchemaMigration;
import dev.inflight.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The operator as deploy/manifests runs it: every namespace watched, leader election on a Lease in
 * its own namespace, and every request made as its service account, so the server's RBAC decides
 * what it may do.
 */
final class Operators {
  static final String LEASE = "inflight-operator";

  private Operators() {}

  /** A running operator and the impersonating client it uses. */
  record Running(OperatorApp app, KubernetesClient client) implements AutoCloseable {
    @Override
    public void close() {
      app.close();
      client.close();
    }
  }

  static Running start(Cluster k8s, String identity, boolean leaderElection) throws Exception {
    KubernetesClient client = k8s.as(Deploy.OPERATOR_NAMESPACE, Deploy.OPERATOR_ACCOUNT);
    // Short steps so tests move quickly; the work per step is the same.
    EngineSettings fast = EngineSettings.defaults().withStepBudget(Duration.ofMillis(500));
    OperatorApp app =
        new OperatorApp(
            client,
            new OperatorApp.Options(
                List.of(), leaderElection ? Deploy.OPERATOR_NAMESPACE : null, identity, 0, false),
            fast);
    try {
      app.start();
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
    return new Running(app, client);
  }

  /** The Secret a platform team creates for the example's {@code spec.database.secretRef}. */
  static void secret(Cluster k8s, String namespace, TestDatabase db) {
    secret(k8s, namespace, "app-db", db.url());
  }

  /** A Secret named {@code name} for the database at {@code jdbcUrl} (its parameters dropped). */
  static void secret(Cluster k8s, String namespace, String name, String jdbcUrl) {
    URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
    String url =
        "jdbc:" + uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort() + uri.getPath();
    k8s.admin()
        .secrets()
        .inNamespace(namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withStringData(Map.of("url", url, "username", "postgres", "password", "postgres"))
                .build())
        .create();
  }

  /** The operator's user, as the API server sees it. */
  static final String USER =
      "system:serviceaccount:" + Deploy.OPERATOR_NAMESPACE + ":" + Deploy.OPERATOR_ACCOUNT;

  /**
   * Least privilege is enough: the server refused none of the operator's requests so far. (An Event
   * the operator may not create, say, would only be logged.)
   */
  static void assertNothingForbidden(Cluster k8s) {
    assertThat(k8s.audit())
        .filteredOn(r -> USER.equals(r.user()))
        .as("requests of %s", USER)
        .isNotEmpty()
        .filteredOn(r -> r.code() == 403)
        .isEmpty();
  }

  /**
   * Leaves the shared server as a test found it: no operator holds the Lease, and no migration
   * waits for a finalizer that no operator will remove (this server has no namespace controller, so
   * deleting a namespace would not delete what is in it).
   */
  static void clean(Cluster k8s, String namespace) {
    var migrations = k8s.admin().resources(SchemaMigration.class).inNamespace(namespace);
    for (SchemaMigration m : migrations.list().getItems()) {
      migrations
          .withName(m.getMetadata().getName())
          .edit(
              x -> {
                x.getMetadata().setFinalizers(List.of());
                return x;
              });
      migrations.withName(m.getMetadata().getName()).delete();
    }
    k8s.admin().leases().inNamespace(Deploy.OPERATOR_NAMESPACE).withName(LEASE).delete();
  }
}
