package dev.inflight.engine.plan;

import java.util.List;
import java.util.Map;

/**
 * The new table, built under the shadow's name.
 *
 * @param statements run at CreatingShadow: the table in its final shape, without indexes (in a plan
 *     stored before {@code keyIndex} existed: with its key)
 * @param keyIndex the key's index and constraint, built once the copy is done, before the first
 *     replay (which finds rows by key); null in a plan stored before it existed, whose shadow has
 *     its key from the start
 * @param indexes the secondary indexes, built at Syncing, several at once where they can be
 * @param syncExtras run at Syncing once the shadow is verified: checks of its rows, and what is
 *     built over it (materialized views)
 * @param expectedSnapshot what the live table must equal after the cut-over
 */
public record ShadowBuild(
    List<String> statements,
    IndexBuild keyIndex,
    List<IndexBuild> indexes,
    String analyze,
    List<String> syncExtras,
    Map<String, List<String>> expectedSnapshot) {}
