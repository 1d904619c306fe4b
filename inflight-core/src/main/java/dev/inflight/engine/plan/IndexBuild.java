package dev.inflight.engine.plan;

import java.util.List;

/**
 * A secondary index of the new table: built on the shadow under {@code shadowName} during Syncing,
 * renamed to {@code finalName} at cut-over. {@code sourceName} is the index of the original table
 * it reproduces, or null for a new index.
 */
public record IndexBuild(
    String shadowName, String finalName, String sourceName, List<String> statements) {}
