package dev.inflight.engine.plan;

import java.util.List;

/**
 * One direction's change log: the capture that fills it with changed keys, the replay that drains
 * it into the other table, and the count of keys waiting. The reverse log of a plan that keeps no
 * archived table has no statements (an empty list and empty strings).
 *
 * @param capture the log table, the capture function and its triggers
 * @param replayBatch parameters and results as {@code ReplaySql.replayBatch}
 * @param replayAll the whole log at once, for a unique value that moved between rows ({@code
 *     ReplaySql.replayAll}); null in plans stored before it existed
 */
public record ChangeLog(
    List<String> capture, String replayBatch, String replayAll, String backlog) {}
