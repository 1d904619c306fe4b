package dev.inflight.engine.plan;

/**
 * The keyset copy of the original table into the shadow.
 *
 * @param maxKey the largest key when the copy starts; the copy stops there
 * @param batch one batch, repeated in key order; parameters and results as {@code
 *     ReplaySql.backfillBatch}
 */
public record Backfill(String maxKey, String batch) {}
