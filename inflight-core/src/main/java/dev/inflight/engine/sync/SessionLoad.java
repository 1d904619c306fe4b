package dev.inflight.engine.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The application's load on this database, as {@code pg_stat_activity} shows it: the client
 * sessions running a statement now, and how many of those wait (on a lock, a lightweight lock, I/O
 * or a buffer pin). It is PostgreSQL's analogue of MySQL's {@code Threads_running}, which gh-ost's
 * and pt-online-schema-change's {@code --max-load} watch: when the application suffers, its
 * statements take longer, so more of them are in flight at any instant, and they queue.
 *
 * <p>The migration's own sessions ({@code application_name} {@code inflight}, and this one) are not
 * the application and are left out.
 */
public final class SessionLoad {
  private SessionLoad() {}

  /**
   * One sample.
   *
   * @param active client sessions of this database running a statement
   * @param waiting those of them waiting on a lock, a lightweight lock, I/O or a buffer pin
   * @param waits the most common waits, e.g. {@code Lock:transactionid x3, IO:DataFileRead x1}
   * @param invisible sessions of other roles whose state this role may not read (it is not a member
   *     of {@code pg_read_all_stats}, which {@code pg_monitor} includes)
   */
  public record Sample(long active, long waiting, String waits, long invisible) {}

  public static Sample read(Connection conn) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "WITH s AS (SELECT state, wait_event_type, wait_event,"
                + "   state = 'active' AND wait_event_type IN ('Lock', 'LWLock', 'IO', 'BufferPin')"
                + "   AS waits FROM pg_stat_activity"
                + "   WHERE datname = current_database() AND backend_type = 'client backend'"
                + "   AND pid <> pg_backend_pid() AND application_name IS DISTINCT FROM 'inflight'),"
                + " w AS (SELECT wait_event_type || ':' || wait_event AS e, count(*) AS n FROM s"
                + "   WHERE waits GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3)"
                + " SELECT (SELECT count(*) FROM s WHERE state = 'active'),"
                + " (SELECT count(*) FROM s WHERE waits),"
                + " (SELECT string_agg(e || ' x' || n, ', ' ORDER BY n DESC, e) FROM w),"
                + " (SELECT count(*) FROM s WHERE state IS NULL)")) {
      ps.setQueryTimeout(StandbyLag.PROBE_SECONDS);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Sample(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4));
      }
    }
  }
}
