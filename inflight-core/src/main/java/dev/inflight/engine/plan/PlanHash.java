package dev.inflight.engine.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash people approve a plan by: SHA-256 over the plan's canonical JSON (properties and map
 * keys sorted, no whitespace). Hashing the serialized form rather than a list of chosen fields
 * means a field added to the plan is covered without anyone remembering to add it here.
 */
final class PlanHash {
  private PlanHash() {}

  static String of(Plan content) {
    ObjectMapper canonical =
        JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(canonical.writeValueAsBytes(content));
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
