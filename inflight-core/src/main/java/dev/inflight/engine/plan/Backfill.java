package dev.inflight.engine.plan;

/**
 * The copy of the original table into the shadow: key ranges, each copied by keyset batches.
 *
 * @param maxKey the largest key when the copy starts; the copy stops there
 * @param batch one batch of one range, repeated in key order; parameters and results as {@code
 *     CopySql.backfillBatch}
 * @param sample about evenly spaced keys from a sample of the table's blocks, the boundaries of the
 *     copy's ranges; parameters as {@code CopySql.sampleKeys}. Null in a plan stored before ranges
 *     existed: its copy is one range.
 * @param clearLogged run with the key's build, before it: removes from the shadow every row whose
 *     key is in the log (replay re-reads them all), so that rows a batch copied before they changed
 *     cannot stand in the key's way; null in a plan whose shadow has its key from the start
 */
public record Backfill(String maxKey, String batch, String sample, String clearLogged) {}
