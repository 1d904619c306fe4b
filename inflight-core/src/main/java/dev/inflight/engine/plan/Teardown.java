package dev.inflight.engine.plan;

import java.util.List;

/**
 * What ends a migration.
 *
 * @param cancel before cut-over: drops the shadow, the log and the capture
 * @param finalizeStatements after cut-over: drops the archived table and the reverse capture
 */
public record Teardown(List<String> cancel, List<String> finalizeStatements) {}
