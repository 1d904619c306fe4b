package dev.inflight.engine.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * Stored plan format 1: one flat object of 38 fields, written before plans were grouped into parts.
 * Frozen: this table says where each of its fields lives in the current format.
 */
final class FlatPlanFormat {
  private FlatPlanFormat() {}

  private static final Map<String, String> PATHS =
      Map.ofEntries(
          Map.entry("hash", "hash"),
          Map.entry("schema", "source.schema"),
          Map.entry("table", "source.table"),
          Map.entry("fingerprint", "source.fingerprint"),
          Map.entry("sourceIndexes", "source.indexes"),
          Map.entry("archivedIndexes", "source.archivedIndexes"),
          Map.entry("originalSnapshot", "source.snapshot"),
          Map.entry("key", "key"),
          Map.entry("rollbackRetained", "rollbackRetained"),
          Map.entry("estimatedRows", "report.estimatedRows"),
          Map.entry("tableBytes", "report.tableBytes"),
          Map.entry("warnings", "report.warnings"),
          Map.entry("createShadow", "shadow.statements"),
          Map.entry("indexes", "shadow.indexes"),
          Map.entry("analyze", "shadow.analyze"),
          Map.entry("syncExtras", "shadow.syncExtras"),
          Map.entry("expectedSnapshot", "shadow.expectedSnapshot"),
          Map.entry("createCapture", "forwardLog.capture"),
          Map.entry("replayBatch", "forwardLog.replayBatch"),
          Map.entry("logBacklog", "forwardLog.backlog"),
          Map.entry("reverseCapture", "reverseLog.capture"),
          Map.entry("reverseReplayBatch", "reverseLog.replayBatch"),
          Map.entry("reverseLogBacklog", "reverseLog.backlog"),
          Map.entry("maxKey", "backfill.maxKey"),
          Map.entry("backfillBatch", "backfill.batch"),
          Map.entry("verifyNextChunk", "verification.nextChunk"),
          Map.entry("verifySourceDigest", "verification.sourceDigest"),
          Map.entry("verifyShadowDigest", "verification.shadowDigest"),
          Map.entry("locksFirst", "swaps.locksFirst"),
          Map.entry("otherTables", "swaps.otherTables"),
          Map.entry("cutoverLock", "swaps.cutover.lock"),
          Map.entry("cutover", "swaps.cutover.statements"),
          Map.entry("validateAfterSwap", "swaps.cutover.validateAfter"),
          Map.entry("rollbackLock", "swaps.rollback.lock"),
          Map.entry("rollbackSwap", "swaps.rollback.statements"),
          Map.entry("validateAfterRollback", "swaps.rollback.validateAfter"),
          Map.entry("cancel", "teardown.cancel"),
          Map.entry("finalizeStatements", "teardown.finalizeStatements"));

  /** Fields early format-1 plans were stored without; their absence meant an empty list. */
  private static final List<String> ADDED_LATER =
      List.of(
          "syncExtras", "validateAfterSwap", "otherTables", "locksFirst", "validateAfterRollback");

  /** The same plan in the current shape. */
  static ObjectNode upgrade(ObjectNode flat) {
    ObjectNode out = flat.objectNode();
    for (Map.Entry<String, String> move : PATHS.entrySet()) {
      JsonNode value = flat.get(move.getKey());
      if ((value == null || value.isNull()) && ADDED_LATER.contains(move.getKey())) {
        value = flat.arrayNode();
      }
      if (value != null) {
        put(out, move.getValue(), value);
      }
    }
    return out;
  }

  private static void put(ObjectNode root, String path, JsonNode value) {
    String[] steps = path.split("\\.");
    ObjectNode parent = root;
    for (int i = 0; i < steps.length - 1; i++) {
      parent = parent.withObjectProperty(steps[i]);
    }
    parent.set(steps[steps.length - 1], value);
  }
}
