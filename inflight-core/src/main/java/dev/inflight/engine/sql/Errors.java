package dev.inflight.engine.sql;

import dev.inflight.engine.EngineException;
import java.sql.SQLException;
import java.util.Set;

/** Classifies database errors into retryable and permanent, in one place. */
public final class Errors {
  /** Lock not available, serialization failure, deadlock, query cancelled by a timeout. */
  private static final Set<String> RETRYABLE =
      Set.of("55P03", "40001", "40P01", "57014", "57P01", "57P02", "57P03", "53300", "53400");

  private Errors() {}

  /** True when trying the same step again later can succeed. */
  public static boolean retryable(SQLException e) {
    String state = e.getSQLState();
    if (state == null) {
      // The driver reports an I/O failure without a state when the socket breaks mid-statement.
      return true;
    }
    return RETRYABLE.contains(state) || state.startsWith("08");
  }

  /** True when the error is a lock_timeout expiry. */
  public static boolean lockTimeout(SQLException e) {
    return "55P03".equals(e.getSQLState());
  }

  /** Wraps an SQL error with what the engine was doing. */
  public static EngineException wrap(String doing, SQLException e) {
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : firstLine(e.getMessage());
    return new EngineException(doing + ": " + msg, retryable(e), e.getSQLState(), e);
  }

  /** The first line of a driver message (the detail and hint lines follow it). */
  public static String firstLine(String message) {
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).trim();
  }
}
