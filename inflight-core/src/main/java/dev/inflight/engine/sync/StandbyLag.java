package dev.inflight.engine.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * How far each standby streaming from this server is behind, measured both ways PostgreSQL offers:
 * the lag times of {@code pg_stat_replication} and the WAL position difference in bytes.
 *
 * <p>The times alone can make a standby look current when it is not: they are NULL once a standby
 * has caught up and nothing new arrives, and they stop changing while replay does not advance
 * (replay paused, or stuck behind a conflict), showing the last lag measured. The bytes between
 * this server's WAL position and the standby's replay position keep growing with every record the
 * standby has not replayed, whatever it reports. A standby that is behind in bytes and has not
 * replied for a while is counted as lagging by that silence too, since it no longer says anything.
 */
public final class StandbyLag {
  /** Seconds any probe of the throttles may take. */
  static final int PROBE_SECONDS = 5;

  private StandbyLag() {}

  /**
   * One standby (or other WAL receiver) as {@code pg_stat_replication} shows it.
   *
   * @param name its {@code application_name} (a standby's {@code cluster_name}, else {@code
   *     walreceiver}, unless its {@code primary_conninfo} sets one)
   * @param address its {@code client_addr}, null for a local socket or when not visible
   * @param visible false when this role may not read the row's details (it is not a member of
   *     {@code pg_read_all_stats}, which {@code pg_monitor} includes): every column but the process
   *     id and the name then reads NULL
   * @param lagMillis the largest of {@code write_lag}, {@code flush_lag} and {@code replay_lag},
   *     null when all are NULL
   * @param behindBytes WAL written here and not yet replayed there, null when the standby has not
   *     reported a replay position
   * @param silentMillis how long ago it last replied
   */
  public record Standby(
      String name,
      String address,
      boolean visible,
      Long lagMillis,
      Long behindBytes,
      Long silentMillis) {
    /** {@code name (address)}, as people find the standby in {@code pg_stat_replication}. */
    public String label() {
      return "'" + name + "'" + (address == null ? "" : " (" + address + ")");
    }

    /**
     * The lag in time that counts: the worst lag time, or the silence of a standby that is behind
     * and has not replied since.
     */
    public long effectiveLagMillis() {
      long lag = lagMillis == null ? 0 : lagMillis;
      if (behindBytes != null && behindBytes > 0 && silentMillis != null) {
        lag = Math.max(lag, silentMillis);
      }
      return lag;
    }
  }

  /**
   * Every physical standby streaming from this server; base backups in progress and logical
   * consumers (measured by their slots, see {@link SlotRetention}) left out.
   */
  public static List<Standby> read(Connection conn) throws SQLException {
    List<Standby> out = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT coalesce(application_name, ''), host(client_addr), state IS NOT NULL,"
                + " (extract(epoch FROM greatest(write_lag, flush_lag, replay_lag)) * 1000)::bigint,"
                + " pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint,"
                + " (extract(epoch FROM clock_timestamp() - reply_time) * 1000)::bigint"
                + " FROM pg_stat_replication"
                // pg_basebackup streams through a WAL sender too; it replays nothing.
                + " WHERE state IS DISTINCT FROM 'backup'"
                // A logical consumer streams through one as well, connected to a database (a
                // standby's connection has none, and the database is shown to every role): its
                // slot is its measure.
                + " AND pid NOT IN (SELECT pid FROM pg_stat_activity WHERE datid IS NOT NULL)"
                + " ORDER BY application_name, pid")) {
      ps.setQueryTimeout(PROBE_SECONDS);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Standby(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getBoolean(3),
                  (Long) rs.getObject(4),
                  (Long) rs.getObject(5),
                  (Long) rs.getObject(6)));
        }
      }
    }
    return out;
  }
}
