package dev.inflight.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inflight.api.MigrationStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides whether a reconcile writes the status it computed. Every write is an API request, and a
 * migration reconciles every step while it works and at a slow poll while it waits or is done: a
 * write for each would make the API server's load grow with the number of migrations that merely
 * exist. So a status the resource already shows is not written again, a change of progress alone
 * (the counts, the rate, the ETA and the messages that quote them) is written at most once every
 * {@link #PROGRESS_INTERVAL} per migration, and any other change (phase, a condition's status or
 * reason, the plan, the cut-over, the rollback window, an error) is written at once.
 *
 * <p>The comparison is with the status the resource shows (the informer's copy), not with a copy
 * kept here, so a write that did not land is made again. The only memory kept is when each
 * migration's status was last written, which a new operator instance starts without: its first
 * write comes at once.
 */
final class StatusWrites {
  /** The least time between two writes of a migration's status that differ only in progress. */
  static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);

  private final Clock clock;
  private final Map<String, Instant> written = new ConcurrentHashMap<>();

  StatusWrites(Clock clock) {
    this.clock = clock;
  }

  /** What to do with a computed status. */
  sealed interface Decision {}

  /** Write it now; the write is recorded. */
  record Write() implements Decision {}

  /** The resource already shows it: nothing to write. */
  record Unchanged() implements Decision {}

  /** Only progress changed, and the last write was recent: write it after {@code due}. */
  record Held(Duration due) implements Decision {}

  /**
   * The decision for migration {@code key}, whose resource shows {@code shown}, about {@code next}.
   * A held write must be looked at again within its {@link Held#due}; a caller that will not look
   * again writes instead ({@code rescheduled} false).
   */
  Decision decide(String key, MigrationStatus shown, MigrationStatus next, boolean rescheduled) {
    if (same(shown, next)) {
      return new Unchanged();
    }
    Instant now = clock.instant();
    Instant last = written.get(key);
    if (rescheduled && last != null && sameApartFromProgress(shown, next)) {
      Duration since = Duration.between(last, now);
      if (since.compareTo(PROGRESS_INTERVAL) < 0) {
        return new Held(PROGRESS_INTERVAL.minus(since));
      }
    }
    written.put(key, now);
    return new Write();
  }

  /** Forgets a migration that is gone. */
  void forget(String key) {
    written.remove(key);
  }

  /** True when the resource shows the same status: an absent field and an empty list alike. */
  static boolean same(MigrationStatus a, MigrationStatus b) {
    return canonical(a).equals(canonical(b));
  }

  /**
   * True when the two statuses differ at most in progress: the counts, rate and ETA, the message,
   * and the conditions' messages (which quote them); every condition keeps its status and reason,
   * and the throttles the copy cannot read stay the same (a change there asks a person to act).
   */
  static boolean sameApartFromProgress(MigrationStatus a, MigrationStatus b) {
    return withoutProgress(canonical(a)).equals(withoutProgress(canonical(b)));
  }

  private static JsonNode withoutProgress(JsonNode status) {
    if (!(status instanceof ObjectNode o)) {
      return status;
    }
    ObjectNode copy = o.deepCopy();
    copy.remove("message");
    if (copy.get("progress") instanceof ObjectNode p) {
      p.retain("blindThrottles");
    }
    if (copy.get("conditions") instanceof ArrayNode conditions) {
      conditions.forEach(c -> ((ObjectNode) c).remove("message"));
    }
    return copy;
  }

  /**
   * The status as the API server keeps it: JSON without nulls and without empty lists or objects,
   * which a round trip through the server does not distinguish from absent fields.
   */
  private static JsonNode canonical(MigrationStatus s) {
    return s == null ? NullNode.getInstance() : pruned(Serialization.jsonMapper().valueToTree(s));
  }

  private static JsonNode pruned(JsonNode n) {
    if (n instanceof ObjectNode o) {
      ObjectNode out = o.objectNode();
      o.fields()
          .forEachRemaining(
              f -> {
                JsonNode v = pruned(f.getValue());
                if (!empty(v)) {
                  out.set(f.getKey(), v);
                }
              });
      return out;
    }
    if (n instanceof ArrayNode a) {
      ArrayNode out = a.arrayNode();
      a.forEach(v -> out.add(pruned(v)));
      return out;
    }
    return n;
  }

  private static boolean empty(JsonNode v) {
    return v == null || v.isNull() || (v.isContainerNode() && v.isEmpty());
  }
}
