package dev.inflight.engine.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The WAL each replication slot keeps on this server's disk. A slot keeps every WAL segment from
 * its {@code restart_lsn} on until its consumer confirms it, so a change-data-capture consumer
 * (Debezium, a logical subscriber) that stops or falls behind makes the primary keep all the WAL
 * the copy writes meanwhile. Slots are server-wide: a slot of any database keeps the WAL of all.
 */
public final class SlotRetention {
  /** Denied to this role: PostgreSQL's own catalogs answer everyone, some managed services not. */
  private static final String INSUFFICIENT_PRIVILEGE = "42501";

  private SlotRetention() {}

  /**
   * One slot as {@code pg_replication_slots} shows it.
   *
   * @param retainedBytes WAL from its {@code restart_lsn} to this server's position, null for a
   *     slot that has reserved none or lost what it had ({@code wal_status} {@code lost})
   * @param walStatus {@code reserved}, {@code extended}, {@code unreserved} (about to lose WAL
   *     beyond {@code max_slot_wal_keep_size}) or {@code lost}
   */
  public record Slot(
      String name,
      String type,
      String database,
      boolean active,
      Long retainedBytes,
      String walStatus) {
    /** {@code 'name' (logical, database app, inactive)}. */
    public String label() {
      return "'"
          + name
          + "' ("
          + type
          + (database == null ? "" : ", database " + database)
          + (active ? ", active" : ", inactive")
          + ")";
    }
  }

  /**
   * Every slot of the server, the one keeping the most WAL first; empty when this role may not read
   * {@code pg_replication_slots}.
   */
  public static Optional<List<Slot>> read(Connection conn) throws SQLException {
    List<Slot> out = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT slot_name, slot_type, database, active,"
                + " pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint, wal_status"
                + " FROM pg_replication_slots ORDER BY 5 DESC NULLS LAST, slot_name")) {
      ps.setQueryTimeout(StandbyLag.PROBE_SECONDS);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Slot(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getBoolean(4),
                  (Long) rs.getObject(5),
                  rs.getString(6)));
        }
      }
    } catch (SQLException e) {
      if (INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
        return Optional.empty();
      }
      throw e;
    }
    return Optional.of(out);
  }
}
