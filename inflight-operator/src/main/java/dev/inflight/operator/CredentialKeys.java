package dev.inflight.operator;

import dev.inflight.operator.resource.SchemaMigrationSpec.SecretKeys;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The Secret keys that hold the parts of a connection: the names the PostgreSQL operators write
 * (found by name, each may be absent), or the ones {@code spec.database.secretRef.keys} names (each
 * must exist). {@code url} is a JDBC URL's or a libpq URI's key.
 */
record CredentialKeys(
    String url, String host, String port, String dbname, String username, String password) {
  /** The URL keys found by name, the first one present being read. */
  static final List<String> URL_KEYS = List.of("url", "jdbc-uri", "fqdn-jdbc-uri", "uri");

  static CredentialKeys byName(Map<String, String> values) {
    String url = URL_KEYS.stream().filter(values::containsKey).findFirst().orElse(null);
    String user = values.containsKey("username") ? "username" : "user";
    return new CredentialKeys(url, "host", "port", "dbname", user, "password");
  }

  static CredentialKeys mapped(String secret, Map<String, String> values, SecretKeys k)
      throws Credentials.Problem {
    Map<String, String> named = new LinkedHashMap<>();
    named.put("jdbcUrl", k.jdbcUrl());
    named.put("uri", k.uri());
    named.put("host", k.host());
    named.put("port", k.port());
    named.put("dbname", k.dbname());
    named.put("username", k.username());
    named.put("password", k.password());
    for (Map.Entry<String, String> e : named.entrySet()) {
      if (e.getValue() != null && !values.containsKey(e.getValue())) {
        throw new Credentials.Problem(
            OperatorReason.SecretInvalid,
            secret
                + " has no key "
                + e.getValue()
                + " (named by spec.database.secretRef.keys."
                + e.getKey()
                + ")");
      }
    }
    return new CredentialKeys(
        k.jdbcUrl() != null ? k.jdbcUrl() : k.uri(),
        k.host(),
        k.port(),
        k.dbname(),
        k.username(),
        k.password());
  }

  List<String> named() {
    return Stream.of(url, host, port, dbname, username, password).filter(Objects::nonNull).toList();
  }
}
