package dev.inflight.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inflight.engine.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Plans stored by the previous engine (flat format 1) are read by this one with every statement,
 * value and hash unchanged; the current format round-trips; the hash covers everything but the
 * report.
 */
class StoredPlanFormatTest {
  private final ObjectMapper json = Json.mapper();

  static List<StoredPlanFixture> formatOne() {
    return StoredPlanFixture.formatOne();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("formatOne")
  void formatOnePlanKeepsItsHashAndShowsTheSameStatements(StoredPlanFixture fixture)
      throws Exception {
    Plan plan = json.readValue(fixture.planJson(), Plan.class);

    assertThat(plan.hash()).isEqualTo(fixture.planTree().get("hash").asText());
    assertThat(StoredPlanFixture.comparable(plan.display()))
        .containsExactlyElementsOf(StoredPlanFixture.comparable(fixture.display()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("formatOne")
  void everyFormatOneFieldReadsBackUnderItsOldName(StoredPlanFixture fixture) throws Exception {
    ObjectNode stored = fixture.planTree();
    Plan plan = json.readValue(fixture.planJson(), Plan.class);

    assertThat(stored.size()).as("fields of format 1").isEqualTo(38);
    Map<String, JsonNode> read = StoredPlanFixture.readByFieldName(stored, plan);
    List<String> differing =
        StoredPlanFixture.fields(stored).entrySet().stream()
            .filter(field -> !field.getValue().equals(read.get(field.getKey())))
            .map(Map.Entry::getKey)
            .toList();
    assertThat(differing).as("fields read back with another value").isEmpty();
  }

  @Test
  void formatOnePlanWithoutTheFieldsAddedLaterReadsThemAsEmpty() throws Exception {
    ObjectNode stored = StoredPlanFixture.formatOne().get(0).planTree();
    for (String late :
        List.of(
            "syncExtras",
            "validateAfterSwap",
            "otherTables",
            "locksFirst",
            "validateAfterRollback")) {
      stored.remove(late);
    }

    Plan plan = json.treeToValue(stored, Plan.class);

    assertThat(plan.syncExtras()).isEmpty();
    assertThat(plan.validateAfterSwap()).isEmpty();
    assertThat(plan.otherTables()).isEmpty();
    assertThat(plan.locksFirst()).isEmpty();
    assertThat(plan.validateAfterRollback()).isEmpty();
    assertThat(plan.cutover()).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("formatOne")
  void planIsStoredInTheCurrentFormatAndReadsBackEqual(StoredPlanFixture fixture) throws Exception {
    Plan plan = json.readValue(fixture.planJson(), Plan.class);

    String stored = json.writeValueAsString(plan);

    assertThat(json.readTree(stored).get("format").asInt()).isEqualTo(Plan.FORMAT);
    assertThat(json.readTree(stored).has("createShadow")).as("a format 1 field").isFalse();
    assertThat(json.readValue(stored, Plan.class)).isEqualTo(plan);
  }

  @Test
  void planOfANewerFormatIsRefusedWithWhatToDo() throws Exception {
    ObjectNode stored = (ObjectNode) json.readTree(json.writeValueAsString(anyPlan()));
    stored.put("format", Plan.FORMAT + 1);

    assertThatThrownBy(() -> json.treeToValue(stored, Plan.class))
        .hasMessageContaining("format " + (Plan.FORMAT + 1))
        .hasMessageContaining("upgrade Inflight");
  }

  @Test
  void hashIsTheSameForTheSameContentAndHasTheApprovalForm() throws Exception {
    Plan plan = anyPlan();

    String hash = plan.withComputedHash().hash();

    assertThat(hash).matches("sha256:[0-9a-f]{64}");
    assertThat(json.readValue(json.writeValueAsString(plan), Plan.class).withComputedHash().hash())
        .isEqualTo(hash);
  }

  /** Every string, number and flag outside the report is covered, so none can be forgotten. */
  @Test
  void changingAnyValueOutsideTheReportChangesTheHash() throws Exception {
    Plan plan = anyPlan().withComputedHash();
    ObjectNode tree = json.valueToTree(plan);
    List<String> leaves = new ArrayList<>();
    collectLeaves(tree, "", leaves);
    List<String> hashed =
        leaves.stream()
            .filter(p -> !p.equals("/format") && !p.equals("/hash") && !p.startsWith("/report/"))
            .toList();
    assertThat(hashed).hasSizeGreaterThan(100);

    for (String path : hashed) {
      ObjectNode changed = tree.deepCopy();
      change(changed, path);
      assertThat(json.treeToValue(changed, Plan.class).withComputedHash().hash())
          .as("hash after changing %s", path)
          .isNotEqualTo(plan.hash());
    }
  }

  @Test
  void reportIsNotHashedBecauseItMovesWithEveryWrite() throws Exception {
    Plan plan = anyPlan().withComputedHash();
    Report grown =
        new Report(
            plan.estimatedRows() * 2,
            plan.tableBytes() * 2,
            List.of("the copy needs about 2.0 GiB of free disk"));

    Plan replanned =
        new Plan(
                null,
                plan.source(),
                plan.key(),
                plan.rollbackRetained(),
                grown,
                plan.shadow(),
                plan.forwardLog(),
                plan.reverseLog(),
                plan.backfill(),
                plan.verification(),
                plan.swaps(),
                plan.teardown())
            .withComputedHash();

    assertThat(replanned.hash()).isEqualTo(plan.hash());
    assertThat(replanned.warnings()).isEqualTo(grown.warnings());
  }

  private Plan anyPlan() throws Exception {
    return json.readValue(StoredPlanFixture.formatOne().get(0).planJson(), Plan.class);
  }

  private static void collectLeaves(JsonNode node, String path, List<String> out) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        collectLeaves(
            e.getValue(), path + "/" + e.getKey().replace("~", "~0").replace("/", "~1"), out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collectLeaves(node.get(i), path + "/" + i, out);
      }
    } else if (!node.isNull()) {
      out.add(path);
    }
  }

  /** Changes the leaf at a JSON pointer: text gets a suffix, a number grows, a flag flips. */
  private static void change(ObjectNode root, String pointer) {
    int slash = pointer.lastIndexOf('/');
    JsonNode parent = root.at(pointer.substring(0, slash));
    String last = pointer.substring(slash + 1).replace("~1", "/").replace("~0", "~");
    JsonNode leaf = root.at(pointer);
    JsonNode changed =
        leaf.isTextual()
            ? root.textNode(leaf.asText() + " ")
            : leaf.isBoolean()
                ? root.booleanNode(!leaf.asBoolean())
                : root.numberNode(leaf.asLong() + 1);
    if (parent instanceof ArrayNode array) {
      array.set(Integer.parseInt(last), changed);
    } else {
      ((ObjectNode) parent).set(last, changed);
    }
  }
}
