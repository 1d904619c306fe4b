package dev.inflight.engine.plan;

import java.util.List;

/**
 * One swap transaction: the cut-over, or the rollback that undoes it.
 *
 * @param lock the lock on the two tables, taken after {@link Swaps#locksFirst}
 * @param statements the renames and what is carried, run under the lock
 * @param validateAfter run after the swap commits, outside it: foreign keys validated
 */
public record Swap(String lock, List<String> statements, List<String> validateAfter) {}
