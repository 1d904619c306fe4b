package dev.inflight.engine.plan;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inflight.api.MigrationDocument;
import dev.inflight.api.SpecReader;
import dev.inflight.engine.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One plan stored by an earlier engine (test resources {@code stored-plans/v<format>/<name>}): the
 * table it was planned for, the migration, the stored JSON and the statements that engine showed.
 */
record StoredPlanFixture(String name, int format) {
  static final List<String> NAMES = List.of("users", "line-items", "events");

  static List<StoredPlanFixture> formatOne() {
    return NAMES.stream().map(n -> new StoredPlanFixture(n, 1)).toList();
  }

  String setupSql() {
    return text("setup.sql");
  }

  MigrationDocument document() {
    return new SpecReader().parse(text("migration.yaml"), name + "/migration.yaml");
  }

  String planJson() {
    return text("plan.json");
  }

  ObjectNode planTree() {
    try {
      return (ObjectNode) Json.mapper().readTree(planJson());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A listing as compared across versions: the line saying what the swap does under its lock is
   * worded anew, and the swaps' locks are listed in the order they are taken now, so lines are
   * compared without their order.
   */
  static List<String> comparable(List<String> listing) {
    return listing.stream()
        .filter(line -> !line.startsWith("-- replay") && !line.startsWith("-- check"))
        .sorted()
        .toList();
  }

  List<String> display() {
    try {
      return Json.mapper().readValue(text("display.json"), new TypeReference<List<String>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Each field of the stored JSON with the value the plan gives under the accessor of the same
   * name, both as JSON; a field without an accessor shows as missing.
   */
  static Map<String, JsonNode> readByFieldName(ObjectNode stored, Plan plan) {
    ObjectMapper json = Json.mapper();
    Map<String, JsonNode> out = new TreeMap<>();
    for (Iterator<String> fields = stored.fieldNames(); fields.hasNext(); ) {
      String field = fields.next();
      try {
        Object value = Plan.class.getMethod(field).invoke(plan);
        // Through text, so that numbers compare by value whatever their Java type.
        out.put(field, json.readTree(json.writeValueAsString(value)));
      } catch (NoSuchMethodException e) {
        out.put(field, json.getNodeFactory().textNode("<no accessor " + field + "()>"));
      } catch (IOException | IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  /** The stored JSON's fields, in the same form as {@link #readByFieldName}. */
  static Map<String, JsonNode> fields(ObjectNode stored) {
    Map<String, JsonNode> out = new TreeMap<>();
    stored.properties().forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  private String text(String file) {
    String path = "/stored-plans/v" + format + "/" + name + "/" + file;
    try (InputStream in = StoredPlanFixture.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return "format " + format + " " + name;
  }
}
