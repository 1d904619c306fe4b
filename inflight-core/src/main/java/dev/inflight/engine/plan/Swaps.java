package dev.inflight.engine.plan;

import java.util.List;

/**
 * The two swap transactions and what both lock besides the two tables.
 *
 * @param locksFirst the locks both swaps take before the tables', in deadlock-free order
 * @param otherTables tables and views the swaps also lock (dependent views, tables whose foreign
 *     keys are re-pointed)
 */
public record Swaps(
    List<String> locksFirst, List<String> otherTables, Swap cutover, Swap rollback) {}
