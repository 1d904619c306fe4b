package dev.inflight.engine.sql;

import java.sql.SQLException;
import java.util.Optional;

/**
 * Why a database session could not be opened, read from the SQLSTATE of the error: the settings a
 * person must look at, told apart from every other database error. The one table of these codes;
 * each caller decides what a failure means for it (the command line exits with bad input, the
 * operator reports the resource stalled or retries).
 */
public enum ConnectionFailure {
  /** 08001: no connection could be established (host, port or TLS, or the server is down). */
  Unreachable("08001"),
  /** Class 28: the server refused the role or its password (28000, 28P01). */
  AuthenticationFailed("28"),
  /** 3D000: the database named in the URL does not exist. */
  DatabaseNotFound("3D000");

  /** A full SQLSTATE, or the two characters of a class. */
  private final String state;

  ConnectionFailure(String state) {
    this.state = state;
  }

  /** The failure {@code e} reports, or empty when it is not about opening the session. */
  public static Optional<ConnectionFailure> of(SQLException e) {
    String actual = e.getSQLState();
    if (actual == null) {
      return Optional.empty();
    }
    for (ConnectionFailure f : values()) {
      if (actual.startsWith(f.state)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
