package dev.inflight.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.inflight.api.MigrationStatus;
import dev.inflight.operator.OperatorReason;
import dev.inflight.operator.OperatorSecrets;
import dev.inflight.operator.OperatorSecrets.Address;
import dev.inflight.operator.resource.SchemaMigration;
import dev.inflight.operator.resource.SchemaMigrationSpec;
import dev.inflight.operator.resource.SchemaMigrationSpec.DatabaseRef;
import dev.inflight.operator.resource.SchemaMigrationSpec.SecretRef;
import dev.inflight.testing.PgBouncer;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each PostgreSQL operator's Secret, shaped exactly as that operator writes it and pointed at the
 * test's server, takes its example from examples/ to Ready on a real API server, with no hand-made
 * Secret; a transaction pool is refused with its reason, by the API server when the spec names
 * Crunchy's pgbouncer keys, and at Planning when the connection turns out to be pooled. (The
 * url/username/password shape is {@code OperatorOnRealServerTest}'s.)
 */
@RealKubernetes
@ExtendWith(PostgresExtension.class)
class CredentialShapesOnRealServerTest {
  private static final String PASSWORD = "p@ss w&rd+=?/%";
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
    ns = k8s.namespace("creds");
    apps = new Apps(k8s, ns);
  }

  @AfterEach
  void stop(Cluster k8s) {
    // The operator stops first: an apply to a resource in a namespace being deleted would create
    // it again, which the API server refuses (403), and every later test would read that refusal.
    if (operator != null) {
      operator.close();
    }
    Operators.clean(k8s, ns);
    if (operator != null) {
      Operators.assertNothingForbidden(k8s);
    }
  }

  private static int port(TestDatabase db) {
    return URI.create(db.url().substring("jdbc:".length())).getPort();
  }

  private static String dbname(TestDatabase db) {
    return db.strings("SELECT current_database()").get(0);
  }

  /** A login role as the operators create them (superuser here: it owns nothing else). */
  private static void role(TestDatabase db, String name) {
    db.exec(
        "DO $$ BEGIN CREATE ROLE "
            + name
            + " LOGIN SUPERUSER; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
  }

  private void secret(Cluster k8s, Secret s) {
    k8s.admin().secrets().inNamespace(ns).resource(s).create();
  }

  /** An example from examples/, with {@code database} replaced when given. */
  private void example(Cluster k8s, String file, DatabaseRef database) throws Exception {
    SchemaMigration m = load(k8s, file);
    create(
        k8s,
        m.getMetadata().getName(),
        m.getSpec(),
        database == null ? m.getSpec().database() : database);
  }

  @Test
  void eachOperatorsSecretTakesItsExampleToReady(
      Cluster k8s,
      TestDatabase cnpg,
      TestDatabase cnpgSuperuser,
      TestDatabase crunchy,
      TestDatabase crunchyNoDbname,
      TestDatabase zalando,
      TestDatabase keys)
      throws Exception {
    Map<String, TestDatabase> byMigration = new LinkedHashMap<>();
    byMigration.put("users-phone-cloudnativepg", cnpg);
    byMigration.put("users-phone-cloudnativepg-superuser", cnpgSuperuser);
    byMigration.put("users-phone-crunchy", crunchy);
    byMigration.put("users-phone-crunchy-no-dbname", crunchyNoDbname);
    byMigration.put("users-phone-zalando", zalando);
    byMigration.put("users-phone-keys", keys);
    byMigration.values().forEach(db -> Apps.users(db, 2_000));
    role(crunchy, "hippo");
    role(crunchyNoDbname, "rhino");
    role(zalando, "app_owner");

    // CloudNativePG: host is the bare pg-rw, which resolves nowhere here; jdbc-uri (with the
    // namespace) is what the operator must use, and it points at this test's server.
    secret(
        k8s,
        OperatorSecrets.cloudNativePg(
            "pg-app",
            "pg-rw",
            "localhost",
            "localhost",
            port(cnpg),
            dbname(cnpg),
            "postgres",
            PASSWORD));
    // Its superuser Secret names every database (dbname *, and * in each URL): the spec names one.
    secret(
        k8s,
        OperatorSecrets.cloudNativePgSuperuser(
            "pg", "pg-rw", "localhost", "localhost", port(cnpgSuperuser), PASSWORD));
    // Crunchy's Secret of a user that lists no databases: no dbname, uri or jdbc-uri.
    secret(
        k8s,
        OperatorSecrets.crunchy(
            "rhino",
            "rhino",
            PASSWORD,
            null,
            new Address("localhost", port(crunchyNoDbname)),
            null));
    secret(
        k8s,
        OperatorSecrets.crunchy(
            "hippo",
            "hippo",
            PASSWORD,
            dbname(crunchy),
            new Address("localhost", port(crunchy)),
            new Address("hippo-pgbouncer." + ns + ".svc", 5432)));
    secret(k8s, OperatorSecrets.zalando("acid-minimal", "app_owner", PASSWORD));
    secret(
        k8s,
        OperatorSecrets.other(
            "shop-db-env",
            Map.of(
                "DB_HOST",
                "localhost",
                "DB_PORT",
                String.valueOf(port(keys)),
                "DB_NAME",
                dbname(keys),
                "DB_USER",
                "postgres",
                "DB_PASSWORD",
                PASSWORD)));
    operator = Operators.start(k8s, "inflight-operator-0", false);

    example(k8s, "database-cloudnativepg.yaml", null);
    SchemaMigration cloudNativePg = load(k8s, "database-cloudnativepg.yaml");
    create(
        k8s,
        "users-phone-cloudnativepg-superuser",
        cloudNativePg.getSpec(),
        new DatabaseRef(
            new SecretRef("pg-superuser", null), null, null, dbname(cnpgSuperuser), null));
    example(k8s, "database-crunchy.yaml", null);
    SchemaMigration crunchyExample = load(k8s, "database-crunchy.yaml");
    create(
        k8s,
        "users-phone-crunchy-no-dbname",
        crunchyExample.getSpec(),
        new DatabaseRef(
            new SecretRef("rhino-pguser-rhino", null), null, null, dbname(crunchyNoDbname), null));
    DatabaseRef asInTheExample = load(k8s, "database-zalando.yaml").getSpec().database();
    // The example's host is the cluster's Service; here, the test's server, without TLS.
    example(
        k8s,
        "database-zalando.yaml",
        new DatabaseRef(
            asInTheExample.secretRef(), "localhost", port(zalando), dbname(zalando), "disable"));
    example(k8s, "database-keys.yaml", null);

    for (Map.Entry<String, TestDatabase> e : byMigration.entrySet()) {
      MigrationStatus done = apps.awaitStatus(e.getKey(), Apps.phase("Completed"));
      assertThat(done.progress().rowsCopied()).as(e.getKey()).isEqualTo(2_000);
      assertThat(e.getValue().count("SELECT count(*) FROM users WHERE phone = ''"))
          .as(e.getKey())
          .isEqualTo(2_000);
    }
    Kubectl.Result ready =
        k8s.kubectl()
            .run(
                Apps.LONG,
                "wait",
                "-n",
                ns,
                "--for=condition=Ready",
                "--timeout=60s",
                "smig/users-phone-cloudnativepg",
                "smig/users-phone-cloudnativepg-superuser",
                "smig/users-phone-crunchy",
                "smig/users-phone-crunchy-no-dbname",
                "smig/users-phone-zalando",
                "smig/users-phone-keys");
    assertThat(ready.ok()).as("kubectl wait: %s", ready.err()).isTrue();
  }

  @Test
  void kubectlExplainShowsEachOperatorsCase(Cluster k8s) {
    Kubectl.Result database =
        k8s.kubectl()
            .run(
                "explain", "schemamigrations.spec.database", "--api-version=inflight.dev/v1alpha1");
    assertThat(database.ok()).as(database.err()).isTrue();
    assertThat(database.out().replaceAll("\\s+", " "))
        .contains("CloudNativePG <cluster>-app")
        .contains("Crunchy PGO <cluster>-pguser-<user>")
        .contains("<user>.<cluster>.credentials.postgresql.acid.zalan.do")
        .contains("Never a transaction pooler")
        .contains("sslmode");
    Kubectl.Result keys =
        k8s.kubectl()
            .run(
                "explain",
                "schemamigrations.spec.database.secretRef.keys",
                "--api-version=inflight.dev/v1alpha1");
    assertThat(keys.ok()).as(keys.err()).isTrue();
    assertThat(keys.out().replaceAll("\\s+", " "))
        .contains("url, jdbc-uri, fqdn-jdbc-uri or uri")
        .contains("jdbcUrl")
        .contains("password");
  }

  @Test
  void crunchysPgBouncerKeysAreRefusedByTheApiServer(Cluster k8s) throws Exception {
    assumeTrue(k8s.enforcesCelRules(), "the API server evaluates CEL rules from 1.25");
    Path file = Files.createTempFile("pgbouncer-keys", ".yaml");
    Files.writeString(
        file,
        String.join(
            "\n",
            "apiVersion: inflight.dev/v1alpha1",
            "kind: SchemaMigration",
            "metadata: {name: users-through-pgbouncer}",
            "spec:",
            "  database:",
            "    secretRef: {name: hippo-pguser-hippo, keys: {jdbcUrl: pgbouncer-jdbc-uri}}",
            "  table: public.users",
            "  changes:",
            "    - addColumn: {name: phone, type: text}",
            ""));
    Kubectl.Result applied = apps.apply(file.toString());
    Files.delete(file);
    assertThat(applied.ok()).isFalse();
    assertThat(applied.err())
        .contains("pgbouncer-* key is Crunchy PGO's PgBouncer, which pools transactions")
        .contains("name jdbc-uri");
  }

  @Test
  void aTransactionPoolIsRefusedWithItsReasonBeforeAnyDdl(Cluster k8s, TestDatabase db)
      throws Exception {
    assumeTrue(
        PgBouncer.binary().isPresent(),
        "pgbouncer is not installed here (Debian: apt-get install pgbouncer; .ci/run installs it)");
    Apps.users(db, 100);
    role(db, "hippo");
    try (PgBouncer bouncer = PgBouncer.start(port(db), "transaction")) {
      // Crunchy's Secret, its PgBouncer in front of this test's server.
      secret(
          k8s,
          OperatorSecrets.crunchy(
              "hippo",
              "hippo",
              PASSWORD,
              dbname(db),
              new Address("localhost", port(db)),
              new Address("127.0.0.1", bouncer.port())));
      // A hand-made Secret whose URL is the PgBouncer: only the connection itself can tell.
      secret(
          k8s,
          OperatorSecrets.urlUsernamePassword(
              "through-bouncer",
              "jdbc:postgresql://127.0.0.1:" + bouncer.port() + "/" + dbname(db),
              "postgres",
              PASSWORD));
      operator = Operators.start(k8s, "inflight-operator-0", false);

      SchemaMigration crunchy = load(k8s, "database-crunchy.yaml");
      create(
          k8s,
          "users-bouncer-host",
          crunchy.getSpec(),
          new DatabaseRef(
              crunchy.getSpec().database().secretRef(), "127.0.0.1", bouncer.port(), null, null));
      create(
          k8s,
          "users-through-bouncer",
          crunchy.getSpec(),
          new DatabaseRef(new SecretRef("through-bouncer", null), null, null, null, null));

      MigrationStatus byName =
          apps.awaitStatus(
              "users-bouncer-host", Apps.stalled(OperatorReason.ConnectionPooled.name()));
      assertThat(byName.message())
          .contains("spec.database.host is the pgbouncer-host")
          .contains("session on the primary");
      MigrationStatus byProbe =
          apps.awaitStatus(
              "users-through-bouncer", Apps.stalled(OperatorReason.ConnectionPooled.name()));
      assertThat(byProbe.message())
          .contains("the connection is transaction-pooled")
          .contains("Crunchy PGO's host and port keys (not pgbouncer-host")
          .contains("The application may keep using its pooler")
          .doesNotContain(PASSWORD);
    }
    assertThat(db.count("SELECT count(*) FROM pg_namespace WHERE nspname = 'inflight'"))
        .as("nothing was created, not even the ledger")
        .isZero();
  }

  private static SchemaMigration load(Cluster k8s, String file) throws Exception {
    try (InputStream in = new FileInputStream(Path.of("examples", file).toFile())) {
      return k8s.admin().resources(SchemaMigration.class).load(in).item();
    }
  }

  /** A migration of {@code name} with the example's spec and another {@code database}. */
  private void create(Cluster k8s, String name, SchemaMigrationSpec s, DatabaseRef database) {
    SchemaMigration m = new SchemaMigration();
    m.getMetadata().setName(name);
    m.getMetadata().setNamespace(ns);
    m.setSpec(
        new SchemaMigrationSpec(
            database,
            s.table(),
            s.changes(),
            s.backfill(),
            s.cutover(),
            s.rollback(),
            s.approval(),
            s.control(),
            s.deletionPolicy()));
    k8s.admin().resources(SchemaMigration.class).inNamespace(ns).resource(m).create();
  }
}
