package dev.inflight.engine.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds sessions that would make an exclusive lock request wait. A waiting ACCESS EXCLUSIVE request
 * blocks every later reader and writer of the table, so the engine does not queue behind a long
 * transaction: it reports the blocker and tries again later.
 */
public final class LockProbe {
  static final long IDLE_IN_TRANSACTION_MILLIS = 100;
  private static final String PID = "pid ";
  private static final String PREPARED = "prepared transaction '";

  private LockProbe() {}

  /**
   * Sessions holding any lock on one of the tables whose transaction has been open longer than
   * {@code threshold}, or that have sat idle inside a transaction for more than 100ms; each
   * described as {@code pid N (state, transaction open Ns): query}.
   */
  public static List<String> blockers(
      Connection conn, List<String> qualifiedTables, Duration threshold) throws SQLException {
    return blockers(conn, qualifiedTables, List.of(), threshold);
  }

  /**
   * As above, but an autovacuum worker on one of {@code ownTables} (tables only the migration uses)
   * is no blocker: PostgreSQL cancels it once the swap has waited {@code deadlock_timeout} for it,
   * and waiting for that table alone stops nobody.
   */
  public static List<String> blockers(
      Connection conn, List<String> qualifiedTables, List<String> ownTables, Duration threshold)
      throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT DISTINCT a.pid, a.state, extract(epoch FROM now() - a.xact_start)::int,"
                + " left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 120)"
                + " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                + " WHERE l.locktype = 'relation' AND l.granted AND l.pid <> pg_backend_pid()"
                + " AND l.relation = ANY (SELECT to_regclass(t)::oid FROM unnest(?::text[]) AS t)"
                + " AND NOT (a.backend_type = 'autovacuum worker'"
                + "      AND l.relation = ANY (SELECT to_regclass(t)::oid FROM unnest(?::text[]) AS t))"
                + " AND (now() - a.xact_start > ? * interval '1 millisecond'"
                + "      OR (a.state LIKE 'idle in transaction%' AND now() - a.state_change > ? * interval '1 millisecond'))"
                // An application pauses between statements for milliseconds; a session idle in a
                // transaction for longer than this will not release its locks by itself.
                + " ORDER BY a.pid")) {
      ps.setArray(1, conn.createArrayOf("text", qualifiedTables.toArray()));
      ps.setArray(2, conn.createArrayOf("text", ownTables.toArray()));
      ps.setLong(3, threshold.toMillis());
      ps.setLong(4, Math.min(threshold.toMillis(), IDLE_IN_TRANSACTION_MILLIS));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              PID
                  + rs.getInt(1)
                  + " ("
                  + rs.getString(2)
                  + ", transaction open "
                  + rs.getInt(3)
                  + "s): "
                  + rs.getString(4));
        }
      }
    }
    out.addAll(preparedTransactions(conn, qualifiedTables));
    return out;
  }

  /**
   * Prepared transactions ({@code PREPARE TRANSACTION}) holding a lock on one of the tables. They
   * belong to no session ({@code pg_locks.pid} is null) and end only when someone commits or rolls
   * them back, however long that takes, so each one is a blocker.
   */
  private static List<String> preparedTransactions(Connection conn, List<String> qualifiedTables)
      throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT DISTINCT p.gid, extract(epoch FROM now() - p.prepared)::int, p.owner, p.database"
                // A prepared transaction's locks carry the virtual id of the one lock that names
                // its transaction id.
                + " FROM pg_prepared_xacts p"
                + " JOIN pg_locks x ON x.locktype = 'transactionid' AND x.pid IS NULL"
                + "   AND x.transactionid = p.transaction"
                + " JOIN pg_locks l ON l.pid IS NULL AND l.virtualtransaction = x.virtualtransaction"
                + " WHERE l.locktype = 'relation'"
                + " AND l.relation = ANY (SELECT to_regclass(t)::oid FROM unnest(?::text[]) AS t)"
                + " ORDER BY p.gid")) {
      ps.setArray(1, conn.createArrayOf("text", qualifiedTables.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              PREPARED
                  + rs.getString(1)
                  + "' (prepared "
                  + rs.getInt(2)
                  + "s ago by "
                  + rs.getString(3)
                  + " in "
                  + rs.getString(4)
                  + "; it ends only with COMMIT PREPARED or ROLLBACK PREPARED)");
        }
      }
    }
    return out;
  }

  /**
   * Sessions of this database that hold a snapshot between statements: a REPEATABLE READ or
   * SERIALIZABLE transaction (a READ COMMITTED one holds none while idle). Its snapshot predates
   * the swap; if it read the table after the swap, it would see the new table as of that snapshot,
   * without the rows the swap replays under its lock. A swap waits for such transactions to end.
   */
  public static List<String> snapshotHolders(Connection conn) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT a.pid, extract(epoch FROM now() - a.xact_start)::int,"
                + " left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 120)"
                + " FROM pg_stat_activity a WHERE a.datname = current_database()"
                + " AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'"
                + " AND a.state LIKE 'idle in transaction%' AND a.backend_xmin IS NOT NULL"
                + " ORDER BY a.pid")) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              PID
                  + rs.getInt(1)
                  + " (a REPEATABLE READ or SERIALIZABLE transaction open "
                  + rs.getInt(2)
                  + "s, whose snapshot would not see the rows the swap replays): "
                  + rs.getString(3));
        }
      }
    }
    return out;
  }

  /** Who blocks, for status: {@code pid N} for a session, the gid for a prepared transaction. */
  public static List<String> pids(List<String> blockers) {
    return blockers.stream()
        .map(
            b ->
                b.startsWith(PREPARED)
                    ? b.substring(0, b.indexOf('\'', PREPARED.length()) + 1)
                    : b.substring(0, b.indexOf(' ', PID.length())))
        .toList();
  }
}
