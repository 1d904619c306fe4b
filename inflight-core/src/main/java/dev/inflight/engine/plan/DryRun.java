package dev.inflight.engine.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.inflight.engine.Json;
import dev.inflight.engine.PlanRejectedException;
import dev.inflight.engine.sql.Errors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Types;

/** Runs planning statements, turning a failure into a refusal that names its cause. */
final class DryRun {
  private final Connection conn;

  DryRun(Connection conn) {
    this.conn = conn;
  }

  void run(String what, String sql) throws SQLException {
    Savepoint sp = conn.setSavepoint();
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      ps.execute();
      conn.releaseSavepoint(sp);
    } catch (SQLException e) {
      undo(sp);
      throw refusal(what, e);
    }
  }

  /** Whether a relation of this name exists (a migration's own, when its swap is planned again). */
  boolean exists(String relation) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, relation);
      try (var rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  void explain(String what, String sql) throws SQLException {
    Savepoint sp = conn.setSavepoint();
    try (PreparedStatement ps = conn.prepareStatement("EXPLAIN " + sql)) {
      int n = ps.getParameterMetaData().getParameterCount();
      for (int i = 1; i <= n; i++) {
        ps.setNull(i, Types.OTHER);
      }
      ps.executeQuery().close();
      conn.releaseSavepoint(sp);
    } catch (SQLException e) {
      undo(sp);
      throw refusal(what, e);
    }
  }

  /**
   * The planner's row count for a whole table: {@code reltuples} scaled to the table's current
   * size, and an estimate from its pages even when it was never vacuumed or analyzed (where {@code
   * reltuples} says -1 or 0 and progress would look done from the first batch).
   */
  long estimatedRows(String qualifiedTable) throws SQLException {
    Savepoint sp = conn.setSavepoint();
    try (PreparedStatement ps =
            conn.prepareStatement("EXPLAIN (FORMAT JSON) SELECT * FROM ONLY " + qualifiedTable);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      JsonNode plan = Json.mapper().readTree(rs.getString(1)).path(0).path("Plan");
      conn.releaseSavepoint(sp);
      return Math.max(0, plan.path("Plan Rows").asLong(0));
    } catch (SQLException e) {
      undo(sp);
      throw refusal("the row estimate", e);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("EXPLAIN returned unreadable JSON", e);
    }
  }

  /** Back to the savepoint, unless the pool closed the connection on the error (see plan). */
  private void undo(Savepoint sp) throws SQLException {
    if (!conn.isClosed()) {
      conn.rollback(sp);
    }
  }

  private static RuntimeException refusal(String what, SQLException e) {
    if (Errors.lockTimeout(e)) {
      return Errors.wrap("planning (" + what + ") waited too long for a lock", e);
    }
    return new PlanRejectedException(
        what + ": " + Errors.firstLine(String.valueOf(e.getMessage())));
  }
}
