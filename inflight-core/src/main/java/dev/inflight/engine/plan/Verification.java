package dev.inflight.engine.plan;

/**
 * The comparison of the shadow with the original, one key range at a time.
 *
 * @param nextChunk the upper key of the next range
 * @param sourceDigest count and digest of a range of the original, transformed as the copy does
 * @param shadowDigest the same over the shadow
 */
public record Verification(String nextChunk, String sourceDigest, String shadowDigest) {}
