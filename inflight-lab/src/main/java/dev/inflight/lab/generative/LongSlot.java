package dev.inflight.lab.generative;

/**
 * Lets one long transaction (a long, prepared or REPEATABLE READ one) run at a time across the
 * writers, with a quiet gap after each. An application whose long transactions overlap without end
 * leaves no moment in which a swap can take its lock without waiting, which no migration tool can
 * change; occasional ones, which every application has, are what the engine must cope with.
 */
final class LongSlot {
  private final long gapNanos;
  private boolean busy;
  private long freeAt;

  LongSlot(long gapMillis) {
    this.gapNanos = gapMillis * 1_000_000;
  }

  /** True, and the slot is taken, when no long transaction is open and the gap has passed. */
  synchronized boolean tryTake() {
    if (busy || System.nanoTime() < freeAt) {
      return false;
    }
    busy = true;
    return true;
  }

  synchronized void release() {
    busy = false;
    freeAt = System.nanoTime() + gapNanos;
  }
}
