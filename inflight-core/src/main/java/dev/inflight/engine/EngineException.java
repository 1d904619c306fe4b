package dev.inflight.engine;

/**
 * A failure the engine understands. {@code retryable} failures (a lock not granted in time, a lost
 * connection, a server restart) end a step, not the migration; the next step tries again. The
 * others stop the migration with the message as the reason a person acts on.
 */
public class EngineException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final boolean retryable;
  private final String sqlState;

  public EngineException(String message, boolean retryable, String sqlState, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
    this.sqlState = sqlState;
  }

  /** A permanent failure with no underlying SQL error. */
  public static EngineException permanent(String message) {
    return new EngineException(message, false, null, null);
  }

  /** A transient failure with no underlying SQL error. */
  public static EngineException transientFailure(String message) {
    return new EngineException(message, true, null, null);
  }

  public boolean retryable() {
    return retryable;
  }

  /** The SQLSTATE of the underlying database error, or null. */
  public String sqlState() {
    return sqlState;
  }
}
