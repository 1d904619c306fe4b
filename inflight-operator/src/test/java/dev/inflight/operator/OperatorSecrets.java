package dev.inflight.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Secrets exactly as the PostgreSQL operators write them: the same names, types, labels and keys,
 * and URLs encoded the way their Go code encodes them ({@code url.Values.Encode} for a JDBC URL's
 * query, so keys sorted and a space as {@code +}; {@code url.UserPassword} for a URI's user
 * information). Taken from CloudNativePG's {@code pkg/specs/secrets.go}, Crunchy PGO's {@code
 * generatePostgresUserSecret} and Zalando's user secrets. Only the addresses are parameters, so a
 * test can point them at its own server.
 */
public final class OperatorSecrets {
  private OperatorSecrets() {}

  /** Where an operator's Service names would point: a host, and a port. */
  public record Address(String host, int port) {}

  /**
   * CloudNativePG's {@code <cluster>-app} (or {@code -superuser}, with dbname {@code *}): {@code
   * host} is the bare {@code <cluster>-rw} Service, {@code jdbc-uri} names it with its namespace,
   * {@code fqdn-jdbc-uri} with the cluster domain; here {@code bare}, {@code namespaced} and {@code
   * fqdn} stand in for the three.
   */
  public static Secret cloudNativePg(
      String name,
      String bare,
      String namespaced,
      String fqdn,
      int port,
      String dbname,
      String user,
      String password) {
    return cloudNativePg(name, bare, namespaced, fqdn, port, dbname, user, password, "app");
  }

  /**
   * CloudNativePG's {@code <cluster>-superuser} (with {@code enableSuperuserAccess}): the same keys
   * for {@code postgres}, with dbname {@code *} in the key and in every URL, since it is for every
   * database; a migration names its database in {@code spec.database.dbname}.
   */
  public static Secret cloudNativePgSuperuser(
      String cluster, String bare, String namespaced, String fqdn, int port, String password) {
    return cloudNativePg(
        cluster + "-superuser",
        bare,
        namespaced,
        fqdn,
        port,
        "*",
        "postgres",
        password,
        "superuser");
  }

  private static Secret cloudNativePg(
      String name,
      String bare,
      String namespaced,
      String fqdn,
      int port,
      String dbname,
      String user,
      String password,
      String userType) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("username", user);
    data.put("user", user);
    data.put("password", password);
    data.put("dbname", dbname);
    data.put("host", bare);
    data.put("port", String.valueOf(port));
    data.put("pgpass", bare + ":" + port + ":" + dbname + ":" + user + ":" + password + "\n");
    data.put("uri", uri(namespaced + ":" + port, dbname, user, password));
    data.put("jdbc-uri", jdbc(namespaced + ":" + port, dbname, user, password, false));
    data.put("fqdn-uri", uri(fqdn + ":" + port, dbname, user, password));
    data.put("fqdn-jdbc-uri", jdbc(fqdn + ":" + port, dbname, user, password, false));
    return secret(
        name,
        "kubernetes.io/basic-auth",
        Map.of("cnpg.io/reload", "true", "cnpg.io/userType", userType),
        data);
  }

  /**
   * Crunchy PGO's {@code <cluster>-pguser-<user>}: {@code host} is {@code
   * <cluster>-primary.<namespace>.svc}; with a PgBouncer, the {@code pgbouncer-*} keys point at
   * {@code <cluster>-pgbouncer.<namespace>.svc}, its JDBC URL with {@code prepareThreshold=0} for
   * transaction pooling. {@code dbname} and the URLs only when the user lists databases (null here:
   * none).
   */
  public static Secret crunchy(
      String cluster,
      String user,
      String password,
      String dbname,
      Address primary,
      Address bouncer) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("host", primary.host());
    data.put("port", String.valueOf(primary.port()));
    data.put("user", user);
    data.put("password", password);
    data.put("verifier", "SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy");
    if (dbname != null) {
      data.put("dbname", dbname);
      data.put("uri", uri(primary.host() + ":" + primary.port(), dbname, user, password));
      data.put(
          "jdbc-uri", jdbc(primary.host() + ":" + primary.port(), dbname, user, password, false));
    }
    if (bouncer != null) {
      data.put("pgbouncer-host", bouncer.host());
      data.put("pgbouncer-port", String.valueOf(bouncer.port()));
      if (dbname != null) {
        data.put(
            "pgbouncer-uri", uri(bouncer.host() + ":" + bouncer.port(), dbname, user, password));
        data.put(
            "pgbouncer-jdbc-uri",
            jdbc(bouncer.host() + ":" + bouncer.port(), dbname, user, password, true));
      }
    }
    return secret(
        cluster + "-pguser-" + user,
        "Opaque",
        Map.of(
            "postgres-operator.crunchydata.com/cluster", cluster,
            "postgres-operator.crunchydata.com/role", "pguser",
            "postgres-operator.crunchydata.com/pguser", user),
        data);
  }

  /**
   * Zalando's {@code <user>.<cluster>.credentials.postgresql.acid.zalan.do}, two keys only; the
   * name has the user's underscores as dashes (a Secret's name cannot have them), the key does not.
   */
  public static Secret zalando(String cluster, String user, String password) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("username", user);
    data.put("password", password);
    return secret(
        user.replace('_', '-') + "." + cluster + ".credentials.postgresql.acid.zalan.do",
        "Opaque",
        Map.of("application", "spilo", "cluster-name", cluster, "team", "acid"),
        data);
  }

  /** The shape Inflight documented first: a JDBC URL, a user name and a password. */
  public static Secret urlUsernamePassword(String name, String url, String user, String password) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("url", url);
    data.put("username", user);
    data.put("password", password);
    return secret(name, "Opaque", Map.of(), data);
  }

  /** Any other Secret, with the given keys. */
  public static Secret other(String name, Map<String, String> data) {
    return secret(name, "Opaque", Map.of(), data);
  }

  private static Secret secret(
      String name, String type, Map<String, String> labels, Map<String, String> values) {
    Map<String, String> data = new LinkedHashMap<>();
    values.forEach(
        (k, v) ->
            data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .withType(type)
        .withData(data)
        .build();
  }

  /** Go's {@code url.URL{Scheme: "postgresql", User: url.UserPassword(..)}.String()}. */
  static String uri(String hostPort, String dbname, String user, String password) {
    return "postgresql://"
        + userinfo(user)
        + ":"
        + userinfo(password)
        + "@"
        + hostPort
        + "/"
        + dbname;
  }

  /** Go's JDBC URL: {@code url.Values} sorted by key, {@code QueryEscape}d. */
  static String jdbc(String hostPort, String dbname, String user, String password, boolean pooled) {
    return "jdbc:postgresql://"
        + hostPort
        + "/"
        + dbname
        + "?password="
        + URLEncoder.encode(password, StandardCharsets.UTF_8)
        + (pooled ? "&prepareThreshold=0" : "")
        + "&user="
        + URLEncoder.encode(user, StandardCharsets.UTF_8);
  }

  /** Go's user-information escaping: all but unreserved characters and {@code $&+,;=}. */
  private static String userinfo(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if (Character.isLetterOrDigit(c) && c < 128 || "-._~$&+,;=".indexOf(c) >= 0) {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }
}
