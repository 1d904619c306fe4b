package dev.inflight.engine.ledger;

import dev.inflight.engine.EngineException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Installs and upgrades the ledger schema. Versions only go forward; an engine that finds a newer
 * ledger than it knows refuses to touch it.
 */
public final class LedgerSchema {
  /** The newest version this engine writes. */
  public static final int VERSION = 4;

  private static final String TERMINAL = "('RolledBack', 'Cancelled', 'Finalized', 'Failed')";

  private static final List<List<String>> UPGRADES =
      List.of(
          List.of(
              "CREATE TABLE inflight.migrations ("
                  + " id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                  + " name text NOT NULL,"
                  + " table_schema text NOT NULL,"
                  + " table_name text NOT NULL,"
                  + " phase text NOT NULL,"
                  + " active boolean GENERATED ALWAYS AS (phase NOT IN "
                  + TERMINAL
                  + ") STORED,"
                  + " plan_hash text NOT NULL,"
                  + " plan jsonb NOT NULL,"
                  + " spec jsonb NOT NULL,"
                  + " failure text,"
                  + " backfill_cursor text[],"
                  + " backfill_high text[],"
                  + " backfill_done boolean NOT NULL DEFAULT false,"
                  + " batch_size integer,"
                  + " rows_estimated bigint NOT NULL DEFAULT 0,"
                  + " rows_copied bigint NOT NULL DEFAULT 0,"
                  + " rows_replayed bigint NOT NULL DEFAULT 0,"
                  + " indexes_built integer NOT NULL DEFAULT 0,"
                  + " analyzed boolean NOT NULL DEFAULT false,"
                  + " extras_built boolean NOT NULL DEFAULT false,"
                  + " post_swap_pending boolean NOT NULL DEFAULT false,"
                  + " catalog_check text,"
                  + " verify_cursor text[],"
                  + " verify_done boolean NOT NULL DEFAULT false,"
                  + " rows_verified bigint NOT NULL DEFAULT 0,"
                  + " cutover_attempts integer NOT NULL DEFAULT 0,"
                  + " cutover_last_error text,"
                  + " cutover_blocked_by text[] NOT NULL DEFAULT '{}',"
                  + " writes_blocked_ms bigint NOT NULL DEFAULT 0,"
                  + " cutover_at timestamptz,"
                  + " rollback_until timestamptz,"
                  + " rollback_error text,"
                  + " rows_replayed_back bigint NOT NULL DEFAULT 0,"
                  + " rollback_attempts integer NOT NULL DEFAULT 0,"
                  + " rollback_blocked_ms bigint NOT NULL DEFAULT 0,"
                  + " last_error text,"
                  + " consecutive_errors integer NOT NULL DEFAULT 0,"
                  + " phase_millis jsonb NOT NULL DEFAULT '{}',"
                  + " created_at timestamptz NOT NULL,"
                  + " phase_started_at timestamptz NOT NULL,"
                  + " updated_at timestamptz NOT NULL,"
                  + " finished_at timestamptz)",
              // Invariant 5: one active migration per table, enforced by the database itself.
              "CREATE UNIQUE INDEX migrations_one_active_per_table ON inflight.migrations (table_schema, table_name)"
                  + " WHERE active",
              "CREATE UNIQUE INDEX migrations_one_active_per_name ON inflight.migrations (name) WHERE active",
              "CREATE INDEX migrations_by_name ON inflight.migrations (name, id)",
              "CREATE TABLE inflight.history ("
                  + " migration_id bigint PRIMARY KEY,"
                  + " name text NOT NULL,"
                  + " table_schema text NOT NULL,"
                  + " table_name text NOT NULL,"
                  + " plan_hash text NOT NULL,"
                  + " outcome text NOT NULL,"
                  + " started_at timestamptz NOT NULL,"
                  + " cutover_at timestamptz,"
                  + " finished_at timestamptz NOT NULL,"
                  + " rows_copied bigint NOT NULL,"
                  + " writes_blocked_ms bigint NOT NULL,"
                  + " error text,"
                  + " changes jsonb NOT NULL)"),
          // The change captures' stamps (CaptureStamp), proof that no write went uncaptured.
          List.of(
              "ALTER TABLE inflight.migrations ADD COLUMN capture_stamp text,"
                  + " ADD COLUMN reverse_capture_stamp text,"
                  // Lock attempts of the current phase's DDL, for its attempt limit and backoff.
                  + " ADD COLUMN lock_attempts integer NOT NULL DEFAULT 0,"
                  // The table's dependents when each capture began (catalog.Dependents).
                  + " ADD COLUMN dependents text[], ADD COLUMN reverse_dependents text[]"),
          // The swaps planned again when the dependents changed (phase.SwapReplan), as JSON.
          List.of(
              "ALTER TABLE inflight.migrations ADD COLUMN replanned_swaps text,"
                  + " ADD COLUMN swap_replans integer NOT NULL DEFAULT 0",
              // What writes waited over every swap attempt, not only the longest one.
              "ALTER TABLE inflight.migrations"
                  + " ADD COLUMN writes_blocked_total_ms bigint NOT NULL DEFAULT 0,"
                  + " ADD COLUMN rollback_blocked_total_ms bigint NOT NULL DEFAULT 0"),
          // The copy's key ranges (sync.CopyRanges): each one copied and verified on its own, by
          // whichever worker holds its row, with its cursor committed with each batch.
          List.of(
              "CREATE TABLE inflight.copy_ranges ("
                  + " migration_id bigint NOT NULL REFERENCES inflight.migrations (id)"
                  + " ON DELETE CASCADE,"
                  + " range_no integer NOT NULL,"
                  + " low text[],"
                  + " high text[] NOT NULL,"
                  + " last boolean NOT NULL,"
                  + " cursor text[],"
                  + " copied boolean NOT NULL DEFAULT false,"
                  + " rows_copied bigint NOT NULL DEFAULT 0,"
                  + " verified boolean NOT NULL DEFAULT false,"
                  + " rows_verified bigint NOT NULL DEFAULT 0,"
                  + " PRIMARY KEY (migration_id, range_no))",
              // The log's last entry when Syncing began: what the copy left to replay.
              "ALTER TABLE inflight.migrations ADD COLUMN replay_horizon bigint"));

  private LedgerSchema() {}

  /** Creates or upgrades the ledger; safe to call concurrently from several processes. */
  public static void ensure(Connection conn) throws SQLException {
    try {
      ensureOnce(conn);
    } catch (SQLException e) {
      if (!"23505".equals(e.getSQLState())) {
        throw e;
      }
      // Another installer committed while this one waited, and this session's catalog cache still
      // said the schema was absent; a new transaction reads it afresh.
      ensureOnce(conn);
    }
  }

  private static void ensureOnce(Connection conn) throws SQLException {
    boolean auto = conn.getAutoCommit();
    conn.setAutoCommit(false);
    try (Statement st = conn.createStatement()) {
      st.execute("SET LOCAL lock_timeout = '10s'");
      // Serializes installers: two processes starting at once must not both create the tables.
      AdvisoryLocks.lockInstaller(conn);
      st.execute("CREATE SCHEMA IF NOT EXISTS inflight");
      st.execute(
          "CREATE TABLE IF NOT EXISTS inflight.schema_version (version integer PRIMARY KEY,"
              + " installed_at timestamptz NOT NULL DEFAULT now())");
      int current;
      try (ResultSet rs =
          st.executeQuery("SELECT coalesce(max(version), 0) FROM inflight.schema_version")) {
        rs.next();
        current = rs.getInt(1);
      }
      if (current > VERSION) {
        throw EngineException.permanent(
            "the inflight ledger in this database is version "
                + current
                + ", newer than this Inflight ("
                + VERSION
                + "); upgrade Inflight");
      }
      for (int v = current + 1; v <= VERSION; v++) {
        for (String sql : UPGRADES.get(v - 1)) {
          st.execute(sql);
        }
        st.execute("INSERT INTO inflight.schema_version (version) VALUES (" + v + ")");
      }
      conn.commit();
    } catch (SQLException | RuntimeException e) {
      conn.rollback();
      throw e;
    } finally {
      conn.setAutoCommit(auto);
    }
  }

  /** True when the ledger exists (read only; used by commands that must change nothing). */
  public static boolean installed(Connection conn) throws SQLException {
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery("SELECT to_regclass('inflight.migrations') IS NOT NULL")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }
}
