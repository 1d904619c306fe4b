package dev.inflight.engine.ledger;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.engine.EngineException;
import dev.inflight.engine.MigrationPhase;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes {@code inflight.migrations} and {@code inflight.history}. Every write takes the
 * caller's connection, so a step can commit its work and its bookkeeping in one transaction.
 */
public final class Ledger {
  private static final String COLUMNS =
      "id, name, table_schema, table_name, phase, plan_hash, plan::text, spec::text, failure,"
          + " backfill_cursor, backfill_high, backfill_done, batch_size, rows_estimated, rows_copied,"
          + " rows_replayed, indexes_built, analyzed, extras_built, post_swap_pending, catalog_check, verify_cursor, verify_done, rows_verified,"
          + " cutover_attempts, cutover_last_error, cutover_blocked_by, writes_blocked_ms, writes_blocked_total_ms, cutover_at,"
          + " rollback_until, rollback_error, rows_replayed_back, rollback_attempts, rollback_blocked_ms, rollback_blocked_total_ms, last_error,"
          + " consecutive_errors, phase_millis::text, created_at, phase_started_at, updated_at, finished_at";

  private final ObjectMapper json;

  public Ledger(ObjectMapper json) {
    this.json = json;
  }

  /** Inserts a new migration in phase Planning; a second active one on the table is refused. */
  public MigrationRecord insert(
      Connection conn,
      String name,
      String schema,
      String table,
      String planHash,
      String planJson,
      String specJson,
      Instant now)
      throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "INSERT INTO inflight.migrations (name, table_schema, table_name, phase, plan_hash, plan, spec,"
                + " created_at, phase_started_at, updated_at) VALUES (?, ?, ?, 'Planning', ?, ?::jsonb, ?::jsonb, ?, ?, ?)"
                + " RETURNING "
                + COLUMNS)) {
      ps.setString(1, name);
      ps.setString(2, schema);
      ps.setString(3, table);
      ps.setString(4, planHash);
      ps.setString(5, planJson);
      ps.setString(6, specJson);
      Timestamp t = Timestamp.from(now);
      ps.setTimestamp(7, t);
      ps.setTimestamp(8, t);
      ps.setTimestamp(9, t);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return read(rs);
      }
    }
  }

  public MigrationRecord get(Connection conn, long id) throws SQLException {
    return one(conn, "WHERE id = ?", id)
        .orElseThrow(() -> EngineException.permanent("migration " + id + " is not in the ledger"));
  }

  /** The active migration with this name, if any. */
  public Optional<MigrationRecord> activeByName(Connection conn, String name) throws SQLException {
    return one(conn, "WHERE name = ? AND active", name);
  }

  /** The most recent migration with this name, active or not. */
  public Optional<MigrationRecord> latestByName(Connection conn, String name) throws SQLException {
    return one(conn, "WHERE name = ? ORDER BY id DESC LIMIT 1", name);
  }

  /** A migration not yet finished, as {@link #activeEntries} lists it. */
  public record ActiveEntry(long id, String name, MigrationPhase phase) {}

  /**
   * The migrations not yet finished, oldest first: three narrow columns, for a caller that asks
   * often (the operator's per-database limit on migrations copying at once).
   */
  public List<ActiveEntry> activeEntries(Connection conn) throws SQLException {
    List<ActiveEntry> out = new ArrayList<>();
    try (PreparedStatement ps =
            conn.prepareStatement(
                "SELECT id, name, phase FROM inflight.migrations WHERE active ORDER BY id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(
            new ActiveEntry(
                rs.getLong(1), rs.getString(2), MigrationPhase.valueOf(rs.getString(3))));
      }
    }
    return out;
  }

  /** The active migration on a table, if any. */
  public Optional<MigrationRecord> activeByTable(Connection conn, String schema, String table)
      throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM inflight.migrations WHERE table_schema = ? AND table_name = ? AND active")) {
      ps.setString(1, schema);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  /** Every migration, newest first. */
  public List<MigrationRecord> list(Connection conn, int limit) throws SQLException {
    List<MigrationRecord> out = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT " + COLUMNS + " FROM inflight.migrations ORDER BY id DESC LIMIT ?")) {
      ps.setInt(1, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs));
        }
      }
    }
    return out;
  }

  /** Starts an update of one migration row. */
  /** The stamp recorded when the forward (or, with {@code reverse}, the reverse) capture began. */
  public String captureStamp(Connection conn, long id, boolean reverse) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT "
                + (reverse ? "reverse_capture_stamp" : "capture_stamp")
                + " FROM inflight.migrations WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** The table's dependents recorded when the forward (or reverse) capture began; null if none. */
  public List<String> dependents(Connection conn, long id, boolean reverse) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT "
                + (reverse ? "reverse_dependents" : "dependents")
                + " FROM inflight.migrations WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? list(rs.getArray(1)) : null;
      }
    }
  }

  /** The swaps planned again under {@code phase.SwapReplan} (JSON), or null when none were. */
  public String replannedSwaps(Connection conn, long id) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("SELECT replanned_swaps FROM inflight.migrations WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** How many times the swaps were planned again. */
  public int swapReplans(Connection conn, long id) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("SELECT swap_replans FROM inflight.migrations WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    }
  }

  /** Counts one more lock attempt of the current phase's DDL; returns the count so far. */
  public int recordLockAttempt(Connection conn, long id) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "UPDATE inflight.migrations SET lock_attempts = lock_attempts + 1 WHERE id = ?"
                + " RETURNING lock_attempts")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** How many lock attempts the current phase's DDL has made (0 after each phase change). */
  public int lockAttempts(Connection conn, long id) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("SELECT lock_attempts FROM inflight.migrations WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    }
  }

  /** Starts the current phase's count of lock attempts again, for a command run anew. */
  public void clearLockAttempts(Connection conn, long id) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("UPDATE inflight.migrations SET lock_attempts = 0 WHERE id = ?")) {
      ps.setLong(1, id);
      ps.executeUpdate();
    }
  }

  public Update update(long id) {
    return new Update(id);
  }

  /** Records the migration in {@code inflight.history}, replacing an earlier outcome. */
  public void recordHistory(
      Connection conn, MigrationRecord m, String outcome, String changesJson, Instant now)
      throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "INSERT INTO inflight.history (migration_id, name, table_schema, table_name, plan_hash, outcome,"
                + " started_at, cutover_at, finished_at, rows_copied, writes_blocked_ms, error, changes)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)"
                + " ON CONFLICT (migration_id) DO UPDATE SET outcome = EXCLUDED.outcome,"
                + " cutover_at = EXCLUDED.cutover_at, finished_at = EXCLUDED.finished_at,"
                + " rows_copied = EXCLUDED.rows_copied, writes_blocked_ms = EXCLUDED.writes_blocked_ms,"
                + " error = EXCLUDED.error")) {
      ps.setLong(1, m.id());
      ps.setString(2, m.name());
      ps.setString(3, m.tableSchema());
      ps.setString(4, m.tableName());
      ps.setString(5, m.planHash());
      ps.setString(6, outcome);
      ps.setTimestamp(7, Timestamp.from(m.createdAt()));
      ps.setTimestamp(8, m.cutoverAt() == null ? null : Timestamp.from(m.cutoverAt()));
      ps.setTimestamp(9, Timestamp.from(now));
      ps.setLong(10, m.rowsCopied());
      ps.setLong(11, m.writesBlockedMillis());
      ps.setString(12, m.failure());
      ps.setString(13, changesJson);
      ps.executeUpdate();
    }
  }

  /** One entry of the history table. */
  public record HistoryEntry(
      long migrationId,
      String name,
      String table,
      String planHash,
      String outcome,
      Instant startedAt,
      Instant cutoverAt,
      Instant finishedAt,
      long rowsCopied,
      long writesBlockedMillis,
      String error) {}

  public List<HistoryEntry> history(Connection conn, int limit) throws SQLException {
    List<HistoryEntry> out = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT migration_id, name, table_schema || '.' || table_name, plan_hash, outcome, started_at, cutover_at,"
                + " finished_at, rows_copied, writes_blocked_ms, error FROM inflight.history ORDER BY finished_at DESC,"
                + " migration_id DESC LIMIT ?")) {
      ps.setInt(1, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new HistoryEntry(
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  instant(rs.getTimestamp(6)),
                  instant(rs.getTimestamp(7)),
                  instant(rs.getTimestamp(8)),
                  rs.getLong(9),
                  rs.getLong(10),
                  rs.getString(11)));
        }
      }
    }
    return out;
  }

  /**
   * A set of column assignments for one row. The assignment texts are fixed strings written in this
   * package's callers; every value is bound.
   */
  public final class Update {
    private final long id;
    private final List<String> sets = new ArrayList<>();
    private final List<Object> values = new ArrayList<>();
    private MigrationPhase expectedPhase;

    private Update(long id) {
      this.id = id;
    }

    /** {@code assignment} contains one {@code ?} per value. */
    public Update set(String assignment, Object... vals) {
      sets.add(assignment);
      values.addAll(Arrays.asList(vals));
      return this;
    }

    /** Moves the migration to another phase, adding the time spent in the old one. */
    public Update phase(MigrationRecord from, MigrationPhase to, Instant now) {
      long ms = Math.max(0, Duration.between(from.phaseStartedAt(), now).toMillis());
      expectedPhase = from.phase();
      set("phase = ?", to.name());
      set("phase_started_at = ?", now);
      set("lock_attempts = 0");
      set(
          "phase_millis = phase_millis || jsonb_build_object(?::text, coalesce((phase_millis ->> ?)::bigint, 0) + ?)",
          from.phase().name(),
          from.phase().name(),
          ms);
      if (to.terminal()) {
        set("finished_at = ?", now);
      }
      return this;
    }

    /** Writes the assignments; with a phase change, fails if another process moved the phase. */
    public void execute(Connection conn, Instant now) throws SQLException {
      set("updated_at = ?", now);
      String sql =
          "UPDATE inflight.migrations SET "
              + String.join(", ", sets)
              + " WHERE id = ?"
              + (expectedPhase == null ? "" : " AND phase = ?");
      try (PreparedStatement ps = conn.prepareStatement(sql)) {
        int i = 1;
        for (Object v : values) {
          bind(conn, ps, i++, v);
        }
        ps.setLong(i++, id);
        if (expectedPhase != null) {
          ps.setString(i, expectedPhase.name());
        }
        if (ps.executeUpdate() != 1) {
          throw EngineException.transientFailure(
              "migration "
                  + id
                  + " changed phase under this step; another process is working on it");
        }
      }
    }
  }

  private static void bind(Connection conn, PreparedStatement ps, int i, Object v)
      throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.NULL);
    } else if (v instanceof Instant t) {
      ps.setTimestamp(i, Timestamp.from(t));
    } else if (v instanceof List<?> list) {
      ps.setArray(i, conn.createArrayOf("text", list.toArray()));
    } else if (v instanceof Long l) {
      ps.setLong(i, l);
    } else if (v instanceof Integer n) {
      ps.setInt(i, n);
    } else if (v instanceof Boolean b) {
      ps.setBoolean(i, b);
    } else {
      ps.setString(i, v.toString());
    }
  }

  private Optional<MigrationRecord> one(Connection conn, String where, Object param)
      throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("SELECT " + COLUMNS + " FROM inflight.migrations " + where)) {
      if (param instanceof Long l) {
        ps.setLong(1, l);
      } else {
        ps.setString(1, (String) param);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  private MigrationRecord read(ResultSet rs) throws SQLException {
    int i = 1;
    return new MigrationRecord(
        rs.getLong(i++),
        rs.getString(i++),
        rs.getString(i++),
        rs.getString(i++),
        MigrationPhase.valueOf(rs.getString(i++)),
        rs.getString(i++),
        rs.getString(i++),
        rs.getString(i++),
        rs.getString(i++),
        list(rs.getArray(i++)),
        list(rs.getArray(i++)),
        rs.getBoolean(i++),
        (Integer) rs.getObject(i++),
        rs.getLong(i++),
        rs.getLong(i++),
        rs.getLong(i++),
        rs.getInt(i++),
        rs.getBoolean(i++),
        rs.getBoolean(i++),
        rs.getBoolean(i++),
        rs.getString(i++),
        list(rs.getArray(i++)),
        rs.getBoolean(i++),
        rs.getLong(i++),
        rs.getInt(i++),
        rs.getString(i++),
        list(rs.getArray(i++)),
        rs.getLong(i++),
        rs.getLong(i++),
        instant(rs.getTimestamp(i++)),
        instant(rs.getTimestamp(i++)),
        rs.getString(i++),
        rs.getLong(i++),
        rs.getInt(i++),
        rs.getLong(i++),
        rs.getLong(i++),
        rs.getString(i++),
        rs.getInt(i++),
        millis(rs.getString(i++)),
        instant(rs.getTimestamp(i++)),
        instant(rs.getTimestamp(i++)),
        instant(rs.getTimestamp(i++)),
        instant(rs.getTimestamp(i)));
  }

  private Map<String, Long> millis(String text) {
    try {
      return json.readValue(text, new TypeReference<Map<String, Long>>() {});
    } catch (IOException e) {
      throw new IllegalStateException("unreadable phase_millis in the ledger: " + text, e);
    }
  }

  private static List<String> list(Array a) throws SQLException {
    return a == null ? null : List.of((String[]) a.getArray());
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
