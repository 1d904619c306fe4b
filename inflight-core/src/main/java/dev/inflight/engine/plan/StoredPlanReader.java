package dev.inflight.engine.plan;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inflight.engine.EngineException;
import java.io.IOException;

/**
 * Reads a plan as any earlier engine stored it: a migration planned by one version is resumed by
 * the next. An older shape is first rewritten into the current one, then read as the record.
 */
final class StoredPlanReader extends StdDeserializer<Plan> {
  private static final long serialVersionUID = 1L;

  /** Reads the current shape with Jackson's own record binding, without coming back here. */
  @JsonDeserialize(using = JsonDeserializer.None.class)
  private interface RecordBinding {}

  private final transient ObjectMapper currentShape =
      JsonMapper.builder()
          .addMixIn(Plan.class, RecordBinding.class)
          // A newer engine of the same format may store fields this one does not know.
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  StoredPlanReader() {
    super(Plan.class);
  }

  @Override
  public Plan deserialize(JsonParser parser, DeserializationContext ctx) throws IOException {
    ObjectNode stored = parser.readValueAs(ObjectNode.class);
    // Format 1 had no format field.
    int format = stored.path("format").asInt(1);
    if (format > Plan.FORMAT) {
      throw EngineException.permanent(
          "the stored plan has format "
              + format
              + ", newer than this Inflight reads ("
              + Plan.FORMAT
              + "); upgrade Inflight");
    }
    ObjectNode current = format == 1 ? FlatPlanFormat.upgrade(stored) : stored;
    return currentShape.treeToValue(current, Plan.class);
  }
}
