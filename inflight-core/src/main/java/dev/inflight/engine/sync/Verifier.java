package dev.inflight.engine.sync;

import dev.inflight.engine.EngineException;
import dev.inflight.engine.plan.Plan;
import dev.inflight.engine.sql.Tx;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Compares the original table, transformed, with the shadow, one key range at a time: row count and
 * a content digest of every mapped column, both read in one REPEATABLE READ snapshot. Keys still
 * waiting in the change log at that snapshot are left out on both sides (their replay is pending,
 * so a difference is expected); every other key must match exactly, so a difference is a real one
 * and stops the migration with the key range in the message.
 */
public final class Verifier {
  /** The outcome of one chunk; {@code next} is the new lower bound, or null when done. */
  public record Chunk(List<String> next, long rows, boolean done) {}

  private Verifier() {}

  public static Chunk verifyChunk(
      Connection conn, Plan plan, List<String> lower, int chunkSize, Duration timeout)
      throws SQLException {
    int width = plan.key().size();
    return inOneSnapshot(
        conn,
        timeout,
        c -> {
          List<String> upper;
          try (PreparedStatement ps = c.prepareStatement(plan.verifyNextChunk())) {
            int i = 1;
            ps.setBoolean(i++, lower == null);
            i = RowMover.bindKey(ps, i, lower, width);
            ps.setInt(i, chunkSize);
            try (ResultSet rs = ps.executeQuery()) {
              Array a = rs.next() ? rs.getArray(1) : null;
              upper = a == null ? null : List.of((String[]) a.getArray());
            }
          }
          long rows = compare(c, plan, lower, upper);
          return new Chunk(upper, rows, upper == null);
        });
  }

  /**
   * Verifies the next key range of the copy that no other worker holds ({@link CopyRanges}), in one
   * REPEATABLE READ snapshot that also holds the range's row and records it verified; {@code
   * preferred} is the range tried first. Returns the range's rows, or empty when no range is left
   * to verify.
   */
  public static Optional<Long> verifyNextRange(
      Connection conn, Plan plan, long migration, int preferred, Duration timeout)
      throws SQLException {
    return inOneSnapshot(
        conn,
        timeout,
        c -> {
          Optional<CopyRanges.Range> range = CopyRanges.takeToVerify(c, migration, preferred);
          if (range.isEmpty()) {
            return Optional.empty();
          }
          CopyRanges.Range r = range.get();
          long rows = compare(c, plan, r.low(), r.high());
          CopyRanges.verified(c, migration, r.number(), rows);
          return Optional.of(rows);
        });
  }

  /** Runs {@code work} in one REPEATABLE READ transaction, both tables read in one snapshot. */
  private static <T> T inOneSnapshot(Connection conn, Duration timeout, Tx.Work<T> work)
      throws SQLException {
    int isolation = conn.getTransactionIsolation();
    conn.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    try {
      return Tx.run(conn, timeout, timeout, work);
    } finally {
      try {
        conn.setTransactionIsolation(isolation);
      } catch (SQLException ignored) {
        // A broken connection is discarded by the pool.
      }
    }
  }

  /** Compares one key range of both tables; returns its rows, or fails naming the range. */
  private static long compare(Connection c, Plan plan, List<String> lower, List<String> upper)
      throws SQLException {
    int width = plan.key().size();
    Digest source = digest(c, plan.verifySourceDigest(), lower, upper, width);
    Digest shadow = digest(c, plan.verifyShadowDigest(), lower, upper, width);
    if (!source.equals(shadow)) {
      throw EngineException.permanent(
          "verification failed: rows differ for "
              + describe(plan, lower, upper)
              + ": the original table has "
              + source.rows()
              + " rows there, the new table "
              + shadow.rows()
              + (source.rows() == shadow.rows() ? " with different contents" : ""));
    }
    return source.rows();
  }

  /** Row count and content hash of one side of a key range. */
  private record Digest(long rows, BigDecimal sum) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Digest d && rows == d.rows && sum.compareTo(d.sum) == 0;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(rows);
    }
  }

  private static Digest digest(
      Connection conn, String sql, List<String> lower, List<String> upper, int width)
      throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      int i = 1;
      ps.setBoolean(i++, lower == null);
      i = RowMover.bindKey(ps, i, lower, width);
      ps.setBoolean(i++, upper == null);
      RowMover.bindKey(ps, i, upper, width);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Digest(rs.getLong(1), rs.getBigDecimal(2));
      }
    }
  }

  private static String describe(Plan plan, List<String> lower, List<String> upper) {
    String key =
        plan.key().size() == 1
            ? plan.key().get(0).source()
            : "(" + String.join(", ", plan.key().stream().map(k -> k.source()).toList()) + ")";
    String lo = lower == null ? "-infinity" : String.join(", ", lower);
    String hi = upper == null ? "+infinity" : String.join(", ", upper);
    return key + " in (" + lo + ", " + hi + "]";
  }
}
