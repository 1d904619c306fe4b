package dev.inflight.engine.plan;

/** Which way a swap goes: the cut-over to the new table, or the rollback to the original. */
public enum Direction {
  /** The cut-over: the original becomes the archived table, the shadow the live one. */
  FORWARD,
  /** The rollback: the original takes its name back, the new table is dropped. */
  BACK
}
