package dev.inflight.operator;

import dev.inflight.operator.resource.SchemaMigration;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Database credentials from the Secret named by {@code spec.database.secretRef} in the resource's
 * namespace (keys {@code url}, {@code username}, {@code password}). Never logged, never written to
 * status or Events; {@link #toString} shows the URL and user only.
 */
record Credentials(String url, String username, String password) {

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
    var db = r.getSpec().database();
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
    String url = value(secret, "url");
    if (url == null || !url.startsWith("jdbc:postgresql:")) {
      throw new Problem(
          OperatorReason.SecretInvalid,
          "Secret " + ns + "/" + name + " needs a key url with a jdbc:postgresql: URL");
    }
    return new Credentials(url, value(secret, "username"), value(secret, "password"));
  }

  private static String value(Secret s, String key) {
    Map<String, String> data = s.getData();
    if (data != null && data.get(key) != null) {
      return new String(Base64.getDecoder().decode(data.get(key)), StandardCharsets.UTF_8).strip();
    }
    Map<String, String> plain = s.getStringData();
    return plain == null ? null : plain.get(key);
  }

  /** Identifies the database and the account, so a rotated password gets a new pool. */
  String poolKey() {
    return url + "|" + username + "|" + Integer.toHexString(String.valueOf(password).hashCode());
  }

  @Override
  public String toString() {
    return "Credentials["
        + url.replaceAll("password=[^&]*", "password=***")
        + " as "
        + username
        + "]";
  }
}
