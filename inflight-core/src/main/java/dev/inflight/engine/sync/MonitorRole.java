package dev.inflight.engine.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Whether the migrating role may read other sessions' statistics. Without {@code pg_read_all_stats}
 * (part of {@code pg_monitor}; a superuser has it), PostgreSQL shows a standby's row in {@code
 * pg_stat_replication} with every position and lag NULL, and another role's session in {@code
 * pg_stat_activity} with no state: a throttle reading them would see nothing to wait for. Managed
 * services (RDS, Cloud SQL, Azure) give the application's role no superuser; they let it be granted
 * {@code pg_monitor}.
 */
public final class MonitorRole {
  private MonitorRole() {}

  /** True when the session's role has the privileges of {@code pg_read_all_stats}. */
  public static boolean canReadStats(Connection conn) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("SELECT pg_has_role(current_user, 'pg_read_all_stats', 'USAGE')")) {
      ps.setQueryTimeout(StandbyLag.PROBE_SECONDS);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }
}
