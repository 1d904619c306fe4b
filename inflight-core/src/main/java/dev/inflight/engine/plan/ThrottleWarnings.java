package dev.inflight.engine.plan;

import dev.inflight.api.Durations;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.Sizes;
import dev.inflight.engine.sync.MonitorRole;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the plan says about throttles that would run blind: a role without {@code pg_monitor} reads
 * every standby's positions and lag times as NULL and other roles' sessions without a state, so
 * those throttles would hold nothing back. The warning depends only on the role's privileges and
 * the spec, never on which standbys happen to be connected, so the plan's hash stays the same.
 */
final class ThrottleWarnings {
  private ThrottleWarnings() {}

  static List<String> of(Connection conn, MigrationSpec.BackfillSpec backfill) throws SQLException {
    List<String> out = new ArrayList<>();
    boolean replica = !Durations.parse("maxReplicaLag", backfill.maxReplicaLag()).isZero();
    boolean sessions = backfill.maxActiveSessions() != null && backfill.maxActiveSessions() > 0;
    boolean slots = Sizes.parse("maxSlotRetainedWal", backfill.maxSlotRetainedWal()) > 0;
    if (!replica && !sessions && !slots) {
      return out;
    }
    String role;
    boolean slotsReadable;
    try (PreparedStatement ps =
            conn.prepareStatement(
                "SELECT quote_ident(current_user),"
                    + " has_table_privilege('pg_catalog.pg_replication_slots', 'SELECT')");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      role = rs.getString(1);
      slotsReadable = rs.getBoolean(2);
    }
    boolean stats = MonitorRole.canReadStats(conn);
    String grant = "GRANT pg_monitor TO " + role;
    if (replica && !stats) {
      out.add(
          "role "
              + role
              + " cannot read standby positions or lag times (pg_stat_replication shows them only"
              + " to members of pg_monitor or pg_read_all_stats): if standbys stream from this"
              + " server, backfill.maxReplicaLag cannot see them and holds nothing back, and"
              + " status.progress.blindThrottles says so during the copy; "
              + grant
              + ", or set maxReplicaLag: 0 to acknowledge");
    }
    if (sessions && !stats) {
      out.add(
          "role "
              + role
              + " cannot read the state of other roles' sessions in pg_stat_activity:"
              + " backfill.maxActiveSessions counts only sessions of "
              + role
              + " and the roles it belongs to; "
              + grant);
    }
    if (slots && !slotsReadable) {
      out.add(
          "role "
              + role
              + " may not read pg_replication_slots: backfill.maxSlotRetainedWal cannot see the"
              + " WAL slots keep and holds nothing back");
    }
    return out;
  }
}
