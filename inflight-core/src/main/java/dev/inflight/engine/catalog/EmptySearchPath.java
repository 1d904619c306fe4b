package dev.inflight.engine.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Runs catalog reads with an empty {@code search_path}, so every name PostgreSQL prints in a
 * definition is schema-qualified and two snapshots compare the same whatever the session's path;
 * the caller's path is restored afterwards (for the transaction only, inside one).
 */
final class EmptySearchPath {
  /** A catalog read. */
  interface Read<T> {
    T read() throws SQLException;
  }

  private EmptySearchPath() {}

  static <T> T run(Connection conn, Read<T> body) throws SQLException {
    String saved;
    try (PreparedStatement ps = conn.prepareStatement("SELECT current_setting('search_path')");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      saved = rs.getString(1);
    }
    set(conn, "");
    try {
      return body.read();
    } finally {
      set(conn, saved);
    }
  }

  private static void set(Connection conn, String path) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT set_config('search_path', ?, " + !conn.getAutoCommit() + ")")) {
      ps.setString(1, path);
      ps.executeQuery().close();
    }
  }
}
