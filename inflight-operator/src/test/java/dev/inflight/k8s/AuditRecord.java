package dev.inflight.k8s;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * One line of the API server's audit log: who asked (the impersonated user when a client
 * impersonates one), what, the answer's code, and when the server received it.
 */
public record AuditRecord(
    String user,
    String verb,
    String apiGroup,
    String resource,
    String subresource,
    String namespace,
    String name,
    int code,
    Instant received) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static AuditRecord parse(String line) {
    try {
      JsonNode e = JSON.readTree(line);
      JsonNode user =
          e.path("impersonatedUser").isMissingNode() ? e.path("user") : e.path("impersonatedUser");
      JsonNode ref = e.path("objectRef");
      return new AuditRecord(
          user.path("username").asText(),
          e.path("verb").asText(),
          ref.path("apiGroup").asText(""),
          ref.path("resource").asText(""),
          ref.path("subresource").asText(""),
          ref.path("namespace").asText(""),
          ref.path("name").asText(""),
          e.path("responseStatus").path("code").asInt(),
          Instant.parse(e.path("requestReceivedTimestamp").asText()));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The RBAC resource this request needs, such as {@code schemamigrations/status}. */
  public String rbacResource() {
    return subresource.isEmpty() ? resource : resource + "/" + subresource;
  }
}
