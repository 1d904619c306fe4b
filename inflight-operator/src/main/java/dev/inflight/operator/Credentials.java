package dev.inflight.operator;

import dev.inflight.operator.resource.SchemaMigration;
import dev.inflight.operator.resource.SchemaMigrationSpec.DatabaseRef;
import dev.inflight.operator.resource.SchemaMigrationSpec.SecretKeys;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Database credentials from the Secret named by {@code spec.database.secretRef} in the resource's
 * namespace, as the PostgreSQL operators write it, completed by what {@code spec.database} sets.
 * Never logged, never written to status or Events; {@link #toString} shows the URL (which never
 * holds the password) and the user only, and every error names keys, never values.
 *
 * <p>The Secret's keys are found by name unless {@code secretRef.keys} names them: a URL ({@code
 * url}, else {@code jdbc-uri}, else {@code fqdn-jdbc-uri}, else {@code uri}), and {@code host},
 * {@code port}, {@code dbname}, {@code username} or {@code user}, {@code password} for what the URL
 * lacks (mapped keys win over a mapped URL instead); the spec's {@code host}, {@code port}, {@code
 * dbname}, {@code sslmode} win over the Secret. That reads a CloudNativePG Secret (all of these), a
 * Crunchy PGO one ({@code user}, no {@code username}; its {@code pgbouncer-*} keys are never read),
 * a Zalando one ({@code username} and {@code password} only, the host from the spec) and the {@code
 * url}, {@code username}, {@code password} shape alike.
 *
 * @param url a JDBC URL without user or password
 */
record Credentials(String url, String username, String password) {
  static final int DEFAULT_PORT = 5432;
  private static final String POOLER_PREFIX = "pgbouncer-";

  /** The Secret cannot be used, for {@code reason}. */
  static final class Problem extends Exception {
    private static final long serialVersionUID = 1L;
    private final OperatorReason reason;

    Problem(OperatorReason reason, String message) {
      super(message);
      this.reason = reason;
    }

    OperatorReason reason() {
      return reason;
    }
  }

  static Credentials read(KubernetesClient client, SchemaMigration r) throws Problem {
    DatabaseRef db = r.getSpec().database();
    if (db == null || db.secretRef() == null || db.secretRef().name() == null) {
      throw new Problem(
          OperatorReason.DatabaseNotConfigured,
          "spec.database.secretRef.name is required when the operator runs the migration");
    }
    String ns = r.getMetadata().getNamespace();
    String name = db.secretRef().name();
    Secret secret = client.secrets().inNamespace(ns).withName(name).get();
    if (secret == null) {
      throw new Problem(
          OperatorReason.SecretNotFound, "Secret " + ns + "/" + name + " does not exist");
    }
    return resolve("Secret " + ns + "/" + name, values(secret), db);
  }

  /**
   * What the cache of credentials is keyed by: the Secret and everything the spec adds to it (two
   * resources may share a Secret and connect to different hosts).
   */
  static String cacheKey(SchemaMigration r) {
    DatabaseRef db = r.getSpec().database();
    return db == null || db.secretRef() == null || db.secretRef().name() == null
        ? null
        : r.getMetadata().getNamespace() + "/" + db.secretRef().name() + "|" + db;
  }

  /** The credentials from a Secret's decoded {@code values} and the spec's {@code db}. */
  static Credentials resolve(String secret, Map<String, String> values, DatabaseRef db)
      throws Problem {
    SecretKeys mapped = db.secretRef().keys();
    CredentialKeys keys =
        mapped == null
            ? CredentialKeys.byName(values)
            : CredentialKeys.mapped(secret, values, mapped);
    refusePooler(secret, values, keys, db);
    ConnectionUrl url =
        keys.url() == null
            ? new ConnectionUrl(null, null, null, null, null, Map.of())
            : parseUrl(secret, keys.url(), values);
    // Found by name, the URL wins: CloudNativePG's host key is the bare Service name, which only
    // resolves in the cluster's namespace, and its jdbc-uri names the namespace too. Mapped keys
    // win over a mapped URL: a person named them to be read.
    boolean urlFirst = mapped == null;
    String hosts = pick(db.host(), values.get(keys.host()), url.hosts(), urlFirst);
    Integer port = db.port() != null ? db.port() : port(secret, values, keys, url, urlFirst);
    String dbname = pick(db.dbname(), values.get(keys.dbname()), url.dbname(), urlFirst);
    if ("*".equals(dbname)) {
      // CloudNativePG's superuser Secret is for every database, and names none.
      dbname = null;
    }
    String user = pick(null, values.get(keys.username()), url.user(), urlFirst);
    String password = pick(null, values.get(keys.password()), url.password(), urlFirst);
    if (hosts == null) {
      throw missing(
          secret,
          keys,
          "host",
          keys.host(),
          "spec.database.host",
          " (a Zalando Secret has none: set spec.database.host to the cluster's Service)");
    }
    if (dbname == null) {
      throw missing(
          secret,
          keys,
          "database name",
          keys.dbname(),
          "spec.database.dbname",
          " (CloudNativePG's superuser Secret names every database, *; Crunchy PGO's names none"
              + " when the user lists no databases)");
    }
    if (user == null) {
      throw missing(secret, keys, "user name", keys.username(), null, "");
    }
    if (password == null) {
      throw missing(secret, keys, "password", keys.password(), null, "");
    }
    if (hosts.contains(",") && port != null && db.host() == null) {
      throw new Problem(
          OperatorReason.SecretInvalid,
          secret + ": a port cannot be added to the URL's list of hosts; set spec.database.host");
    }
    Map<String, String> params = new LinkedHashMap<>(url == null ? Map.of() : url.params());
    if (db.sslmode() != null) {
      params.put("sslmode", db.sslmode());
    }
    if (port == null && !hosts.contains(",")) {
      port = DEFAULT_PORT;
    }
    return new Credentials(ConnectionUrl.jdbcUrl(hosts, port, dbname, params), user, password);
  }

  /**
   * A Crunchy PGO {@code pgbouncer-*} key, or the Secret's PgBouncer host given as the host, is a
   * transaction pool: refused by name here, before the engine's own check would refuse it.
   */
  private static void refusePooler(
      String secret, Map<String, String> values, CredentialKeys keys, DatabaseRef db)
      throws Problem {
    for (String key : keys.named()) {
      if (key.startsWith(POOLER_PREFIX)) {
        throw pooled(
            "spec.database.secretRef.keys names "
                + key
                + " of "
                + secret
                + ", Crunchy PGO's PgBouncer, which pools transactions");
      }
    }
    String bouncer = values.get("pgbouncer-host");
    if (bouncer != null && db.host() != null && db.host().equalsIgnoreCase(bouncer)) {
      throw pooled(
          "spec.database.host is the pgbouncer-host of "
              + secret
              + ", Crunchy PGO's PgBouncer, which pools transactions");
    }
  }

  private static Problem pooled(String what) {
    return new Problem(
        OperatorReason.ConnectionPooled,
        what
            + "; Inflight's own connection must be a session on the primary (advisory locks, SET"
            + " LOCAL, the swap): use jdbc-uri, or the host and port keys. The application may"
            + " keep using PgBouncer");
  }

  private static ConnectionUrl parseUrl(String secret, String key, Map<String, String> values)
      throws Problem {
    try {
      return ConnectionUrl.parse(key, values.get(key));
    } catch (ConnectionUrl.Malformed e) {
      throw new Problem(OperatorReason.SecretInvalid, secret + ": " + e.getMessage());
    }
  }

  private static Integer port(
      String secret,
      Map<String, String> values,
      CredentialKeys keys,
      ConnectionUrl url,
      boolean urlFirst)
      throws Problem {
    String text = values.get(keys.port());
    if (text == null || (urlFirst && url.port() != null)) {
      return url.port();
    }
    try {
      return ConnectionUrl.port(keys.port(), text);
    } catch (ConnectionUrl.Malformed e) {
      throw new Problem(OperatorReason.SecretInvalid, secret + ": " + e.getMessage());
    }
  }

  private static Problem missing(
      String secret, CredentialKeys keys, String what, String key, String specField, String hint) {
    StringBuilder m = new StringBuilder(secret).append(" has no ").append(what).append(": ");
    m.append(key == null ? "no key is mapped to it" : "it has no key " + key);
    if (keys.url() != null) {
      m.append(" and its ").append(keys.url()).append(" has none");
    } else {
      m.append(" and no URL key (").append(String.join(", ", CredentialKeys.URL_KEYS)).append(')');
    }
    if (specField != null) {
      m.append(", and ").append(specField).append(" is not set");
    }
    return new Problem(OperatorReason.SecretInvalid, m.append(hint).toString());
  }

  private static String pick(String spec, String key, String fromUrl, boolean urlFirst) {
    return urlFirst ? first(spec, fromUrl, key) : first(spec, key, fromUrl);
  }

  private static String first(String... candidates) {
    for (String c : candidates) {
      if (c != null && !c.isBlank()) {
        return c;
      }
    }
    return null;
  }

  /** The Secret's values, decoded; blank values count as absent. */
  static Map<String, String> values(Secret s) {
    Map<String, String> out = new HashMap<>();
    if (s.getStringData() != null) {
      s.getStringData().forEach((k, v) -> put(out, k, v));
    }
    if (s.getData() != null) {
      s.getData()
          .forEach(
              (k, v) ->
                  put(
                      out,
                      k,
                      v == null
                          ? null
                          : new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    return out;
  }

  private static void put(Map<String, String> out, String key, String value) {
    if (value != null && !value.strip().isEmpty()) {
      out.put(key, value.strip());
    }
  }

  /** Identifies the database and the account, so a rotated password gets a new pool. */
  String poolKey() {
    return url + "|" + username + "|" + Integer.toHexString(String.valueOf(password).hashCode());
  }

  @Override
  public String toString() {
    return "Credentials[" + url + " as " + username + "]";
  }
}
