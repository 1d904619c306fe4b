package dev.inflight.engine.plan;

import java.util.List;
import java.util.Map;

/**
 * The new table, built under the shadow's name.
 *
 * @param statements run at CreatingShadow: the table in its final shape with its key, without
 *     secondary indexes
 * @param indexes the secondary indexes, built one by one at Syncing
 * @param syncExtras run at Syncing once the shadow is verified: checks of its rows, and what is
 *     built over it (materialized views)
 * @param expectedSnapshot what the live table must equal after the cut-over
 */
public record ShadowBuild(
    List<String> statements,
    List<IndexBuild> indexes,
    String analyze,
    List<String> syncExtras,
    Map<String, List<String>> expectedSnapshot) {}
