package dev.inflight.engine.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Session-level advisory locks that fence a migration while one step runs: two operator replicas,
 * or the operator and a CLI, never work on the same migration at once. The lock goes away with the
 * session, so a killed process never leaves it behind.
 */
public final class AdvisoryLocks {
  /** First key of every Inflight advisory lock ("INFL" in ASCII). */
  public static final int NAMESPACE = 0x494e464c;

  private AdvisoryLocks() {}

  /**
   * Takes the transaction-level lock that serializes creating the {@code inflight} schema: {@code
   * CREATE SCHEMA IF NOT EXISTS} is not safe against a concurrent creator, which fails with a
   * duplicate key instead of finding the schema. Key 0 is never a migration id.
   */
  public static void lockInstaller(Connection conn) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT pg_advisory_xact_lock(?, 0)")) {
      ps.setInt(1, NAMESPACE);
      ps.executeQuery().close();
    }
  }

  public static boolean tryLock(Connection conn, long migrationId) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
      ps.setInt(1, NAMESPACE);
      ps.setInt(2, (int) migrationId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  public static void unlock(Connection conn, long migrationId) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
      ps.setInt(1, NAMESPACE);
      ps.setInt(2, (int) migrationId);
      ps.executeQuery().close();
    }
  }
}
