package dev.inflight.engine.phase;

import dev.inflight.api.Durations;
import dev.inflight.api.MigrationSpec;
import dev.inflight.engine.EngineSettings;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.ledger.Ledger;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.engine.plan.Names;
import dev.inflight.engine.plan.PartitionPlan;
import dev.inflight.engine.plan.Plan;
import dev.inflight.engine.plan.Planner;
import dev.inflight.engine.sql.Sql;
import dev.inflight.engine.sql.Tx;
import dev.inflight.engine.sync.Backoff;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one step needs: the step's connection (holding the migration's advisory lock), the
 * ledger row as the step began, the stored plan, the current spec (whose pacing and control fields
 * may change while the migration runs), and the engine's collaborators.
 */
public final class StepContext {
  private final Connection conn;
  private MigrationRecord record;
  private final Plan plan;
  private final MigrationSpec spec;
  private final MigrationSpec storedSpec;
  private final Ledger ledger;
  private final Planner planner;
  private final Clock clock;
  private final EngineSettings settings;
  private final Backoff backoff;
  private final Instant deadline;
  private final String changesJson;
  private final Sessions sessions;

  /** More sessions for a step's workers, beside the step's own. */
  public interface Sessions {
    /** A new session, prepared as the step's own is; the caller closes it. */
    Connection open() throws SQLException;

    /** How many sessions a step may open at once without starving the pool it draws from. */
    int spare();
  }

  public StepContext(
      Connection conn,
      MigrationRecord record,
      Plan plan,
      MigrationSpec spec,
      MigrationSpec storedSpec,
      Ledger ledger,
      Planner planner,
      Clock clock,
      EngineSettings settings,
      Backoff backoff,
      String changesJson,
      Sessions sessions) {
    this.changesJson = changesJson;
    this.sessions = sessions;
    this.conn = conn;
    this.record = record;
    this.plan = plan;
    this.spec = spec;
    this.storedSpec = storedSpec;
    this.ledger = ledger;
    this.planner = planner;
    this.clock = clock;
    this.settings = settings;
    this.backoff = backoff;
    this.deadline = clock.instant().plus(settings.stepBudget());
  }

  /** The spec's changes as JSON, for the history table. */
  public String changesJson() {
    return changesJson;
  }

  public Connection conn() {
    return conn;
  }

  public MigrationRecord record() {
    return record;
  }

  /** Re-reads the ledger row after this step wrote to it. */
  public MigrationRecord reload() throws SQLException {
    record = ledger.get(conn, record.id());
    return record;
  }

  public Plan plan() {
    return plan;
  }

  /** The spec as it is now (pacing and control may have changed since the migration started). */
  public MigrationSpec spec() {
    return spec;
  }

  /** The spec the migration was planned from. */
  public MigrationSpec storedSpec() {
    return storedSpec;
  }

  public Ledger ledger() {
    return ledger;
  }

  public Planner planner() {
    return planner;
  }

  public Instant now() {
    return clock.instant();
  }

  public EngineSettings settings() {
    return settings;
  }

  public Backoff backoff() {
    return backoff;
  }

  public Sessions sessions() {
    return sessions;
  }

  /**
   * The workers a step runs for {@code backfill.parallelism}: as many as asked, but no more than
   * the step's own session plus the sessions its pool can spare.
   */
  public int workers() {
    return Math.max(1, Math.min(spec.backfill().parallelism(), 1 + sessions.spare()));
  }

  /** True when the step has used its time budget and should return. */
  public boolean budgetSpent() {
    return !clock.instant().isBefore(deadline);
  }

  public Duration lockTimeout() {
    return Durations.parse("lockTimeout", spec.cutover().lockTimeout());
  }

  /** Runs DDL or a batch in a transaction bounded by the lock timeout and the DDL timeout. */
  public <T> T tx(Tx.Work<T> work) throws SQLException {
    return Tx.run(conn, lockTimeout(), settings.ddlTimeout(), work);
  }

  /** Moves the migration to another phase in its own short transaction. */
  public void transition(MigrationPhase to) throws SQLException {
    Instant now = now();
    ledger.update(record.id()).phase(record, to, now).execute(conn, now);
    reload();
  }

  /** {@code "schema"."table"} of the live table. */
  public String tableSql() {
    return Sql.qualified(plan.schema(), plan.table());
  }

  public String shadowSql() {
    return Sql.qualified(plan.schema(), plan.names().shadow());
  }

  /**
   * Whether the plan's captures log a TRUNCATE as a marker (plans made before markers existed
   * truncate the target from the trigger instead).
   */
  public boolean logsTruncations() {
    return plan.createCapture().stream().anyMatch(sql -> sql.contains("inflight_truncated"));
  }

  /** The change log, forward or reverse, as SQL. */
  public String logSql(boolean reverse) {
    return dev.inflight.engine.sql.Sql.qualified(
        Names.LEDGER_SCHEMA, reverse ? plan.names().reverseLog() : plan.names().log());
  }

  /** The capture function, forward or reverse, as SQL. */
  public String captureFunctionSql(boolean reverse) {
    return dev.inflight.engine.sql.Sql.qualified(
        Names.LEDGER_SCHEMA,
        reverse ? plan.names().reverseCaptureFunction() : plan.names().captureFunction());
  }

  public String archivedSql() {
    return Sql.qualified(plan.schema(), plan.names().archived());
  }

  /**
   * Every table a swap locks: the live one, {@code ownTable} (the one only the migration uses), and
   * the tables whose foreign keys or views move with it.
   */
  /**
   * The relations that hold or route the table's rows, quoted for SQL: the table, then a
   * partitioned table's partitions (the same names on the original and, after the cut-over, on the
   * new table).
   */
  public List<String> relationsSql() {
    List<String> out = new ArrayList<>(List.of(tableSql()));
    for (PartitionPlan p : plan.source().partitions()) {
      out.add(p.sql());
    }
    return out;
  }

  /**
   * The target partitions a TRUNCATE marker of a partitioned table's log may name: the shadow's
   * forward, the archived table's in reverse; empty for a table that is not partitioned.
   */
  public List<String> truncatedPartitions(boolean reverse) {
    return plan.source().partitions().stream()
        .map(p -> reverse ? p.archivedSql() : p.shadowSql())
        .toList();
  }

  List<String> swapTables(String ownTable) {
    List<String> t = new ArrayList<>(relationsSql());
    t.add(ownTable);
    t.addAll(plan.otherTables());
    return t;
  }
}
