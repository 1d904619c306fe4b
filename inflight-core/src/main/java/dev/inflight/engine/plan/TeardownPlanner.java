package dev.inflight.engine.plan;

import java.util.ArrayList;
import java.util.List;

/** What Cancelled and Finalized drop; every statement tolerates a partial earlier attempt. */
final class TeardownPlanner {
  private TeardownPlanner() {}

  static Teardown plan(Original original, boolean retained) {
    List<String> cancel =
        new ArrayList<>(
            ReplaySql.dropCapture(
                original.relations(),
                original.log(),
                original.captureFunction(),
                Names::captureTrigger));
    cancel.addAll(original.carry().dropMaterializedViews(Names.NEW));
    cancel.add("DROP TABLE IF EXISTS " + original.shadow());
    // Without a retained archive the reverse capture was never installed: dropping its triggers
    // would only take a lock on the live table.
    List<String> finalize =
        new ArrayList<>(
            retained
                ? ReplaySql.dropCapture(
                    original.relations(),
                    original.reverseLog(),
                    original.reverseCaptureFunction(),
                    Names::reverseTrigger)
                : ReplaySql.dropCaptureStore(
                    original.reverseLog(), original.reverseCaptureFunction()));
    finalize.addAll(original.carry().dropMaterializedViews(Names.OLD));
    finalize.add("DROP TABLE IF EXISTS " + original.archived());
    return new Teardown(List.copyOf(cancel), List.copyOf(finalize));
  }
}
