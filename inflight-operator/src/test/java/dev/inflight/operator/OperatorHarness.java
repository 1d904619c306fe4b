package dev.inflight.operator;

import dev.inflight.api.ConditionType;
import dev.inflight.engine.EngineSettings;
import dev.inflight.operator.resource.SchemaMigration;
import dev.inflight.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Starting operators against the mock API server, and reading what they wrote. */
final class OperatorHarness {
  static final String NS = "apps";
  static final Path CRD = Path.of("deploy/crds/schemamigrations.inflight.dev-v1.yml");

  private OperatorHarness() {}

  static void registerCrd(KubernetesClient client) throws Exception {
    try (var in = new FileInputStream(CRD.toFile())) {
      var crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
      client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }
  }

  /** An operator watching {@link #NS}, with short steps so tests move quickly. */
  static OperatorApp start(KubernetesClient client, String identity) throws Exception {
    EngineSettings d = EngineSettings.defaults();
    EngineSettings fast =
        new EngineSettings(
            Duration.ofMillis(500),
            d.replayBatch(),
            d.verifyChunk(),
            d.cutoverBacklog(),
            d.ddlTimeout(),
            d.indexBuildTimeout(),
            d.maxBatchSize());
    OperatorApp app =
        new OperatorApp(
            client,
            new OperatorApp.Options(List.of(NS), null, identity, 0, false),
            fast,
            // The mock server cannot apply; the real tier (dev.inflight.k8s) runs the operator
            // as production does, with server-side apply.
            OperatorApp.PrimaryPatches.JSON_PATCHES_FOR_THE_MOCK_SERVER);
    app.start();
    return app;
  }

  /** A Secret named {@code name} holding the database's URL and credentials. */
  static void secret(KubernetesClient client, String name, TestDatabase db, String password) {
    secret(client, name, db, "postgres", password);
  }

  static void secret(
      KubernetesClient client, String name, TestDatabase db, String user, String password) {
    URI uri = URI.create(db.url().substring("jdbc:".length()));
    String base =
        "jdbc:" + uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort() + uri.getPath();
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .addToStringData("url", base)
                .addToStringData("username", user)
                .addToStringData("password", password)
                .build())
        .create();
  }

  static MixedOperation<
          SchemaMigration, KubernetesResourceList<SchemaMigration>, Resource<SchemaMigration>>
      migrations(KubernetesClient client) {
    return client.resources(SchemaMigration.class);
  }

  /** Creates a SchemaMigration from YAML (the namespace is set here). */
  static SchemaMigration create(KubernetesClient client, String yaml) {
    SchemaMigration m =
        migrations(client)
            .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
            .item();
    m.getMetadata().setNamespace(NS);
    return migrations(client).inNamespace(NS).resource(m).create();
  }

  static SchemaMigration get(KubernetesClient client, String name) {
    return migrations(client).inNamespace(NS).withName(name).get();
  }

  static String phase(KubernetesClient client, String name) {
    SchemaMigration m = get(client, name);
    return m == null || m.getStatus() == null ? null : m.getStatus().phase();
  }

  static String condition(
      KubernetesClient client, String name, ConditionType type, boolean reason) {
    SchemaMigration m = get(client, name);
    if (m == null || m.getStatus() == null || m.getStatus().conditions() == null) {
      return null;
    }
    return m.getStatus().conditions().stream()
        .filter(type::typeOf)
        .map(c -> reason ? c.reason() : c.status())
        .findFirst()
        .orElse(null);
  }

  static List<String> eventReasons(KubernetesClient client, String name) {
    return client.events().v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getRegarding().getName()))
        .map(Event::getReason)
        .toList();
  }

  static String yaml(String name, String table, String changes, String extra) {
    return "apiVersion: inflight.dev/v1alpha1\nkind: SchemaMigration\nmetadata:\n  name: "
        + name
        + "\nspec:\n"
        + "  database: {secretRef: {name: app-db}}\n  table: "
        + table
        + "\n  changes:\n"
        + changes.indent(4)
        + (extra == null ? "" : extra.indent(2));
  }
}
