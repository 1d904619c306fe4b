package dev.inflight.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.operator.OperatorSecrets.Address;
import dev.inflight.operator.resource.SchemaMigration;
import dev.inflight.operator.resource.SchemaMigrationSpec;
import dev.inflight.operator.resource.SchemaMigrationSpec.DatabaseRef;
import dev.inflight.operator.resource.SchemaMigrationSpec.SecretKeys;
import dev.inflight.operator.resource.SchemaMigrationSpec.SecretRef;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Credentials from each Secret shape, read from the mock API server as the operators store them
 * (base64 {@code data}): CloudNativePG, Crunchy PGO (with and without PgBouncer), Zalando, the
 * url/username/password shape and an explicit key mapping. No error names a value.
 */
@EnableKubernetesMockClient(crud = true)
class CredentialsTest {
  private static final String NS = "apps";
  private static final String PASSWORD = "p@ss w&rd+=?/%é";

  KubernetesClient client;

  private Credentials read(Secret secret, DatabaseRef db) throws Credentials.Problem {
    client.secrets().inNamespace(NS).resource(secret).create();
    SchemaMigration r = new SchemaMigration();
    r.setMetadata(new ObjectMetaBuilder().withName("m").withNamespace(NS).build());
    r.setSpec(
        new SchemaMigrationSpec(db, "public.t", List.of(), null, null, null, null, null, null));
    return Credentials.read(client, r);
  }

  private static DatabaseRef ref(String name) {
    return new DatabaseRef(new SecretRef(name, null), null, null, null, null);
  }

  private static DatabaseRef ref(String name, String host, Integer port, String dbname) {
    return new DatabaseRef(new SecretRef(name, null), host, port, dbname, null);
  }

  private static void refused(
      ThrowingCallable call, OperatorReason reason, String... messageParts) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            Credentials.Problem.class, p -> assertThat(p.reason()).isEqualTo(reason))
        .hasMessageContainingAll(messageParts)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("p@ss", "s3cret", "w&rd"));
  }

  @Test
  void cloudNativePgAppSecretUsesItsNamespacedJdbcUri() throws Exception {
    Credentials c =
        read(
            OperatorSecrets.cloudNativePg(
                "pg-app",
                "pg-rw",
                "pg-rw.apps",
                "pg-rw.apps.svc.cluster.local",
                5432,
                "app",
                "app",
                PASSWORD),
            ref("pg-app"));
    assertThat(c.url()).isEqualTo("jdbc:postgresql://pg-rw.apps:5432/app");
    assertThat(c.username()).isEqualTo("app");
    assertThat(c.password()).isEqualTo(PASSWORD);
    assertThat(c.toString()).doesNotContain("p@ss").contains("pg-rw.apps");
  }

  @Test
  void cloudNativePgSuperuserSecretNeedsTheDatabaseFromTheSpec() throws Exception {
    Secret superuser =
        OperatorSecrets.cloudNativePg(
            "pg-superuser",
            "pg-rw",
            "pg-rw.apps",
            "pg-rw.apps.svc.cluster.local",
            5432,
            "*",
            "postgres",
            PASSWORD);
    refused(
        () -> read(superuser, ref("pg-superuser")),
        OperatorReason.SecretInvalid,
        "Secret apps/pg-superuser has no database name",
        "spec.database.dbname");
    client.secrets().inNamespace(NS).withName("pg-superuser").delete();
    Credentials c = read(superuser, ref("pg-superuser", null, null, "app"));
    assertThat(c.url()).isEqualTo("jdbc:postgresql://pg-rw.apps:5432/app");
    assertThat(c.username()).isEqualTo("postgres");
  }

  @Test
  void crunchySecretUsesThePrimaryNotPgBouncer() throws Exception {
    Credentials c =
        read(
            OperatorSecrets.crunchy(
                "hippo",
                "hippo",
                PASSWORD,
                "hippo",
                new Address("hippo-primary.apps.svc", 5432),
                new Address("hippo-pgbouncer.apps.svc", 5432)),
            ref("hippo-pguser-hippo"));
    assertThat(c.url()).isEqualTo("jdbc:postgresql://hippo-primary.apps.svc:5432/hippo");
    assertThat(c.username()).isEqualTo("hippo");
    assertThat(c.password()).isEqualTo(PASSWORD);
  }

  @Test
  void crunchySecretWithoutDatabasesNeedsTheDatabaseFromTheSpec() throws Exception {
    Secret noDatabases =
        OperatorSecrets.crunchy(
            "hippo", "rhino", PASSWORD, null, new Address("hippo-primary.apps.svc", 5432), null);
    refused(
        () -> read(noDatabases, ref("hippo-pguser-rhino")),
        OperatorReason.SecretInvalid,
        "Secret apps/hippo-pguser-rhino has no database name",
        "it has no key dbname",
        "spec.database.dbname is not set");
    client.secrets().inNamespace(NS).withName("hippo-pguser-rhino").delete();
    Credentials c = read(noDatabases, ref("hippo-pguser-rhino", null, null, "zoo"));
    assertThat(c.url()).isEqualTo("jdbc:postgresql://hippo-primary.apps.svc:5432/zoo");
    assertThat(c.username()).isEqualTo("rhino");
  }

  @Test
  void crunchyPgBouncerKeysAreRefusedByName() {
    Secret hippo =
        OperatorSecrets.crunchy(
            "hippo",
            "hippo",
            PASSWORD,
            "hippo",
            new Address("hippo-primary.apps.svc", 5432),
            new Address("hippo-pgbouncer.apps.svc", 5432));
    SecretKeys bouncer = new SecretKeys("pgbouncer-jdbc-uri", null, null, null, null, null, null);
    refused(
        () ->
            read(
                hippo,
                new DatabaseRef(
                    new SecretRef("hippo-pguser-hippo", bouncer), null, null, null, null)),
        OperatorReason.ConnectionPooled,
        "pgbouncer-jdbc-uri",
        "pools transactions",
        "session on the primary",
        "use jdbc-uri",
        "The application may keep using PgBouncer");
  }

  @Test
  void crunchyPgBouncerHostInTheSpecIsRefused() {
    Secret hippo =
        OperatorSecrets.crunchy(
            "hippo",
            "hippo",
            PASSWORD,
            "hippo",
            new Address("hippo-primary.apps.svc", 5432),
            new Address("hippo-pgbouncer.apps.svc", 5432));
    refused(
        () -> read(hippo, ref("hippo-pguser-hippo", "hippo-pgbouncer.apps.svc", null, null)),
        OperatorReason.ConnectionPooled,
        "spec.database.host is the pgbouncer-host");
  }

  @Test
  void zalandoSecretTakesTheHostAndDatabaseFromTheSpec() throws Exception {
    Secret zalando = OperatorSecrets.zalando("acid-minimal", "app_user", PASSWORD);
    String name = "app-user.acid-minimal.credentials.postgresql.acid.zalan.do";
    refused(
        () -> read(zalando, ref(name)),
        OperatorReason.SecretInvalid,
        "has no host",
        "it has no key host",
        "spec.database.host is not set",
        "Zalando");
    client.secrets().inNamespace(NS).withName(name).delete();
    Credentials c = read(zalando, ref(name, "acid-minimal.apps.svc", null, "app"));
    assertThat(c.url()).isEqualTo("jdbc:postgresql://acid-minimal.apps.svc:5432/app");
    assertThat(c.username()).isEqualTo("app_user");
    assertThat(c.password()).isEqualTo(PASSWORD);
  }

  @Test
  void urlUsernamePasswordShapeKeepsWorkingWithItsParameters() throws Exception {
    Credentials c =
        read(
            OperatorSecrets.urlUsernamePassword(
                "app-db",
                "jdbc:postgresql://postgres.databases.svc:6543/app?ApplicationName=x&sslmode=require",
                "migrator",
                "s3cret"),
            ref("app-db"));
    assertThat(c.url())
        .isEqualTo(
            "jdbc:postgresql://postgres.databases.svc:6543/app?ApplicationName=x&sslmode=require");
    assertThat(c.username()).isEqualTo("migrator");
    assertThat(c.password()).isEqualTo("s3cret");
  }

  @Test
  void theSpecWinsOverTheSecretAndSetsTheTlsMode() throws Exception {
    Credentials c =
        read(
            OperatorSecrets.urlUsernamePassword(
                "app-db", "jdbc:postgresql://old-host:5432/app", "migrator", "s3cret"),
            new DatabaseRef(
                new SecretRef("app-db", null), "new-host", 6000, "other", "verify-full"));
    assertThat(c.url()).isEqualTo("jdbc:postgresql://new-host:6000/other?sslmode=verify-full");
  }

  @Test
  void twoResourcesSharingASecretWithDifferentHostsAreCachedApart() {
    SchemaMigration a = new SchemaMigration();
    a.setMetadata(new ObjectMetaBuilder().withName("a").withNamespace(NS).build());
    a.setSpec(
        new SchemaMigrationSpec(
            ref("zalando", "one.apps.svc", null, "app"),
            "public.t",
            List.of(),
            null,
            null,
            null,
            null,
            null,
            null));
    SchemaMigration b = new SchemaMigration();
    b.setMetadata(new ObjectMetaBuilder().withName("b").withNamespace(NS).build());
    b.setSpec(
        new SchemaMigrationSpec(
            ref("zalando", "two.apps.svc", null, "app"),
            "public.t",
            List.of(),
            null,
            null,
            null,
            null,
            null,
            null));
    assertThat(Credentials.cacheKey(a))
        .startsWith("apps/zalando|")
        .isNotEqualTo(Credentials.cacheKey(b));
  }

  @Test
  void explicitKeysReadAnyOtherSecret() throws Exception {
    Secret custom =
        OperatorSecrets.other(
            "legacy",
            Map.of(
                "DB_HOST", "db.internal",
                "DB_PORT", "5433",
                "DB_NAME", "shop",
                "DB_USER", "owner",
                "DB_PASS", "s3cret",
                "url", "jdbc:postgresql://ignored:1/ignored"));
    Credentials c =
        read(
            custom,
            new DatabaseRef(
                new SecretRef(
                    "legacy",
                    new SecretKeys(
                        null, null, "DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASS")),
                null,
                null,
                null,
                null));
    assertThat(c.url()).isEqualTo("jdbc:postgresql://db.internal:5433/shop");
    assertThat(c.username()).isEqualTo("owner");
    assertThat(c.password()).isEqualTo("s3cret");
  }

  @Test
  void explicitKeysReadALibpqUri() throws Exception {
    Secret custom =
        OperatorSecrets.other(
            "heroku-style",
            Map.of(
                "DATABASE_URL",
                OperatorSecrets.uri("db.internal:5432", "shop", "owner", PASSWORD)
                    + "?sslmode=require&connect_timeout=5"));
    Credentials c =
        read(
            custom,
            new DatabaseRef(
                new SecretRef(
                    "heroku-style",
                    new SecretKeys(null, "DATABASE_URL", null, null, null, null, null)),
                null,
                null,
                null,
                null));
    assertThat(c.url()).isEqualTo("jdbc:postgresql://db.internal:5432/shop?sslmode=require");
    assertThat(c.username()).isEqualTo("owner");
    assertThat(c.password()).isEqualTo(PASSWORD);
  }

  @Test
  void aMappedKeyTheSecretLacksIsNamed() {
    Secret custom = OperatorSecrets.other("legacy", Map.of("DB_HOST", "db", "DB_PASS", "s3cret"));
    refused(
        () ->
            read(
                custom,
                new DatabaseRef(
                    new SecretRef(
                        "legacy",
                        new SecretKeys(null, null, "DB_HOST", null, null, "DB_USER", "DB_PASS")),
                    null,
                    null,
                    "shop",
                    null)),
        OperatorReason.SecretInvalid,
        "Secret apps/legacy has no key DB_USER (named by spec.database.secretRef.keys.username)");
  }

  @Test
  void aMissingPasswordIsNamedWithoutShowingAnyValue() {
    Secret noPassword =
        OperatorSecrets.other(
            "partial", Map.of("jdbc-uri", "jdbc:postgresql://db:5432/app?user=app", "host", "db"));
    refused(
        () -> read(noPassword, ref("partial")),
        OperatorReason.SecretInvalid,
        "Secret apps/partial has no password",
        "it has no key password",
        "its jdbc-uri has none");
  }

  @Test
  void aMalformedJdbcUriIsReportedByItsKeyNotItsValue() {
    Secret bad =
        OperatorSecrets.other(
            "bad", Map.of("jdbc-uri", "jdbc:postgresql://db:54x2/app?password=s3cret&user=app"));
    refused(
        () -> read(bad, ref("bad")),
        OperatorReason.SecretInvalid,
        "Secret apps/bad: key jdbc-uri has a port that is not a number");
    client.secrets().inNamespace(NS).withName("bad").delete();
    Secret escape =
        OperatorSecrets.other(
            "bad", Map.of("jdbc-uri", "jdbc:postgresql://db:5432/app?password=s3cret%zz&user=app"));
    refused(
        () -> read(escape, ref("bad")),
        OperatorReason.SecretInvalid,
        "key jdbc-uri has a malformed %-escape");
    client.secrets().inNamespace(NS).withName("bad").delete();
    Secret mysql =
        OperatorSecrets.other("bad", Map.of("url", "jdbc:mysql://db/app?password=s3cret"));
    refused(
        () -> read(mysql, ref("bad")),
        OperatorReason.SecretInvalid,
        "key url is not a jdbc:postgresql: URL");
  }
}
