package dev.inflight.api;

/** A migration file or resource that cannot be accepted; the message says what to fix. */
public final class SpecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SpecException(String message) {
    super(message);
  }
}
