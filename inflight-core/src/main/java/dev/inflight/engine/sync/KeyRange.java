package dev.inflight.engine.sync;

import java.util.List;

/**
 * Where the copy stands: keys up to {@code cursor} are copied (null: none yet), keys up to {@code
 * high} will be (null: the table was empty when capture began, nothing to copy).
 */
public record KeyRange(List<String> cursor, List<String> high) {
  /** After the copy: every key is replayed, none skipped. */
  public static KeyRange complete(List<String> high) {
    return new KeyRange(high, high);
  }
}
