package dev.inflight.engine.sync;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;

/** Executes the plan's copy and replay statements with their parameters bound. */
public final class RowMover {
  /** Result of one copy batch. {@code lastKey} is null when no row was read. */
  public record BatchResult(long read, long inserted, List<String> lastKey) {}

  /** Result of one replay statement. */
  public record ReplayResult(long consumed, long keys, long deleted, long upserted) {}

  private RowMover() {}

  /** One keyset batch of the copy. */
  public static BatchResult copyBatch(Connection conn, String sql, KeyRange range, int limit)
      throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      int i = 1;
      ps.setBoolean(i++, range.cursor() == null);
      i = bindKey(ps, i, range.cursor(), range.high().size());
      i = bindKey(ps, i, range.high(), range.high().size());
      ps.setInt(i, limit);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        Array last = rs.getArray(3);
        return new BatchResult(
            rs.getLong(1),
            rs.getLong(2),
            last == null ? null : List.of((String[]) last.getArray()));
      }
    }
  }

  /**
   * Replays up to {@code limit} logged keys; {@code range} is null for a statement without skip
   * range.
   */
  public static ReplayResult replay(
      Connection conn, String sql, int limit, KeyRange range, int keyWidth) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      int i = 1;
      ps.setInt(i++, limit);
      if (range != null) {
        ps.setBoolean(i++, range.cursor() == null);
        i = bindKey(ps, i, range.cursor(), keyWidth);
        bindKey(ps, i, range.high(), keyWidth);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new ReplayResult(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
      }
    }
  }

  /** The largest key of a table as text, or null when it is empty. */
  public static List<String> maxKey(Connection conn, String sql) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return null;
      }
      return List.of((String[]) rs.getArray(1).getArray());
    }
  }

  /** Binds a key (or NULLs when absent) to consecutive parameters; returns the next index. */
  static int bindKey(PreparedStatement ps, int i, List<String> key, int width) throws SQLException {
    for (int k = 0; k < width; k++) {
      if (key == null) {
        ps.setNull(i++, Types.VARCHAR);
      } else {
        ps.setString(i++, key.get(k));
      }
    }
    return i;
  }
}
