package dev.inflight.engine.sql;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.SQLException;

/**
 * HikariCP treats SQLSTATE 0A000 (feature not supported) as a broken connection, but PostgreSQL
 * uses it for statement errors such as a subquery in a DEFAULT: the connection is fine, and
 * evicting it would lose the error (and, in a step, the migration's advisory lock) for nothing.
 * Every pool Inflight creates uses this override.
 */
public final class KeepOnStatementErrors implements SQLExceptionOverride {
  // Qualified: inside this class, Override is the interface's enum.
  @java.lang.Override
  public SQLExceptionOverride.Override adjudicate(SQLException e) {
    return "0A000".equals(e.getSQLState())
        ? SQLExceptionOverride.Override.DO_NOT_EVICT
        : SQLExceptionOverride.Override.CONTINUE_EVICT;
  }
}
