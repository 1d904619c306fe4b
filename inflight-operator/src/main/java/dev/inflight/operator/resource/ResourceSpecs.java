package dev.inflight.operator.resource;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.api.MigrationSpec;
import dev.inflight.engine.Json;

/**
 * The one place where the Kubernetes types meet the engine's model. Both describe the same JSON
 * document field for field ({@code ResourceSpecsTest} keeps them so), so the mapping is a
 * conversion through that document: nothing is renamed, defaulted or dropped here.
 */
public final class ResourceSpecs {
  // Strict both ways: a field one side has and the other lacks fails here, not silently.
  private static final ObjectMapper MAPPER =
      Json.mapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private ResourceSpecs() {}

  /** The engine's view of a resource's spec. */
  public static MigrationSpec toCore(SchemaMigrationSpec spec) {
    return MAPPER.convertValue(spec, MigrationSpec.class);
  }

  /** The resource's spec for an engine spec (tests and tools that build resources). */
  public static SchemaMigrationSpec toResource(MigrationSpec spec) {
    JsonNode document = MAPPER.valueToTree(spec);
    return MAPPER.convertValue(document, SchemaMigrationSpec.class);
  }
}
