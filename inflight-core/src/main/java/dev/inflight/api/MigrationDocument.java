package dev.inflight.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A SchemaMigration as written in a file: the same shape as the Kubernetes resource, so one file
 * serves {@code kubectl apply} and {@code inflight apply -f}. A {@code status} section (as in the
 * output of {@code kubectl get -o yaml}) is ignored.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(value = "status", allowGetters = false)
public record MigrationDocument(
    String apiVersion, String kind, Metadata metadata, MigrationSpec spec) {

  public static final String API_VERSION = "inflight.dev/v1alpha1";
  public static final String KIND = "SchemaMigration";

  /** The parts of Kubernetes object metadata a migration file may carry. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Metadata(
      String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {}
}
