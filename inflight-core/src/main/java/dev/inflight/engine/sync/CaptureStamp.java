package dev.inflight.engine.sync;

import dev.inflight.engine.EngineException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Proof that a change capture has been intact since it was installed. Its four triggers must be
 * {@code ENABLE ALWAYS} (so writes under {@code session_replication_role = replica} are captured
 * too), and their catalog rows and the capture function's must be the very row versions recorded
 * right after installation: disabling a trigger and enabling it again, or dropping and recreating
 * it, writes a new row version ({@code xmin}) or a new oid, so a capture that missed writes for a
 * while cannot pass for one that never did.
 */
public final class CaptureStamp {
  private static final int TRIGGERS = 4;
  private static final String MISSING = "incomplete: ";

  private CaptureStamp() {}

  /**
   * The stamp of the triggers named {@code triggerPrefix*} on {@code tableSql} and of {@code
   * functionSql()}: each object's name, oid, row version and enabled state.
   */
  public static String read(Connection c, String tableSql, String triggerPrefix, String functionSql)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*),"
                + " string_agg(t.tgname || ':' || t.oid || ':' || t.xmin::text || ':' || t.tgenabled::text, ','"
                + "   ORDER BY t.tgname)"
                + "   || ';' || coalesce((SELECT p.oid || ':' || p.xmin::text FROM pg_proc p"
                + "     WHERE p.oid = to_regprocedure(? || '()')), 'no function')"
                + " FROM pg_trigger t WHERE t.tgrelid = ?::regclass AND NOT t.tgisinternal"
                + " AND starts_with(t.tgname, ?)")) {
      ps.setString(1, functionSql);
      ps.setString(2, tableSql);
      ps.setString(3, triggerPrefix);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getInt(1) != TRIGGERS) {
          return MISSING + rs.getInt(1) + " of " + TRIGGERS + " triggers";
        }
        return rs.getString(2);
      }
    }
  }

  /**
   * The stamp of a capture on several relations (a partitioned table and its partitions): each
   * one's stamp, named; a single relation's is {@link #read(Connection, String, String, String)}'s.
   */
  public static String read(
      Connection c, List<String> tablesSql, String triggerPrefix, String functionSql)
      throws SQLException {
    if (tablesSql.size() == 1) {
      return read(c, tablesSql.get(0), triggerPrefix, functionSql);
    }
    List<String> parts = new ArrayList<>();
    for (String table : tablesSql) {
      String one = read(c, table, triggerPrefix, functionSql);
      parts.add((one.startsWith(MISSING) ? MISSING : "") + table + " " + one);
    }
    return String.join(" | ", parts);
  }

  /**
   * Fails the migration, before anything is swapped, unless the capture is intact and is the one
   * recorded at installation ({@code recorded} null: installed by an engine that did not record it,
   * so only its present state is checked).
   */
  public static void requireIntact(
      Connection c,
      List<String> tablesSql,
      String triggerPrefix,
      String functionSql,
      String recorded)
      throws SQLException {
    String tableSql = tablesSql.get(0);
    String now = read(c, tablesSql, triggerPrefix, functionSql);
    // The recorded stamp was taken right after installation, ENABLE ALWAYS included, so equality
    // proves both. Without one (a capture installed before stamps were recorded) only its presence
    // can be checked.
    boolean intact = recorded == null ? !now.contains(MISSING) : now.equals(recorded);
    if (!intact) {
      throw EngineException.permanent(
          "the change capture on "
              + tableSql
              + " was disabled, dropped or altered during the migration (now "
              + now
              + "); writes made meanwhile may be missing from the new table, so nothing was"
              + " swapped; start the migration again");
    }
  }
}
