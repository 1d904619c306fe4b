package dev.inflight.engine.plan;

import dev.inflight.api.Durations;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.SpecValidator;
import dev.inflight.engine.PlanRejectedException;
import dev.inflight.engine.catalog.CatalogReader;
import dev.inflight.engine.catalog.Dependents;
import dev.inflight.engine.catalog.PropertyReader;
import dev.inflight.engine.catalog.TableRef;
import dev.inflight.engine.change.ChangeOp;
import dev.inflight.engine.change.ChangeOps;
import dev.inflight.engine.sql.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a spec into a {@link Plan}, or refuses it with reasons. Nothing it does survives: after
 * reading the catalog it builds the shadow table, the indexes and the change logs inside a
 * transaction that is always rolled back, so PostgreSQL itself checks every type, expression, cast
 * and name, and {@code EXPLAIN} checks every statement the copy, replay and verification will run,
 * in both directions.
 */
public final class Planner {

  /** Plans the migration; the connection is left in auto-commit mode with nothing changed. */
  public Plan plan(Connection conn, MigrationSpec spec) throws SQLException {
    List<String> errors = new ArrayList<>(SpecValidator.validateSpec(spec));
    List<ChangeOp> ops = ChangeOps.of(spec.changes(), errors);
    if (!errors.isEmpty()) {
      throw new PlanRejectedException(errors);
    }
    boolean retained = !Durations.parse("retainFor", spec.rollback().retainFor()).isZero();
    try {
      return planOnce(conn, spec, ops, retained);
    } catch (CreatedConcurrently again) {
      return planOnce(conn, spec, ops, retained);
    }
  }

  /**
   * The swaps planned again from the catalog as it is now, for a migration whose shadow is built:
   * what depends on the table changed since it was planned (a view, another table's foreign key, a
   * grant, a policy...). Planning runs as at first, in a transaction that is always rolled back,
   * with the built shadow moved out of its name for the time of it (only the migration uses it);
   * the rest of the stored plan stays as it is.
   *
   * @param stored the plan the migration runs; its table's shape is unchanged (the swap checks)
   */
  public Replanned replanSwaps(Connection conn, MigrationSpec spec, Plan stored)
      throws SQLException {
    List<String> errors = new ArrayList<>();
    List<ChangeOp> ops = ChangeOps.of(spec.changes(), errors);
    if (!errors.isEmpty()) {
      throw new PlanRejectedException(errors);
    }
    boolean retained = !Durations.parse("retainFor", spec.rollback().retainFor()).isZero();
    boolean auto = conn.getAutoCommit();
    conn.setAutoCommit(false);
    try (Statement st = conn.createStatement()) {
      st.execute(
          "SET LOCAL lock_timeout = '"
              + Durations.parse("lockTimeout", spec.cutover().lockTimeout()).toMillis()
              + "ms'");
      st.execute("SET LOCAL statement_timeout = '60s'");
      String table = Sql.qualified(stored.schema(), stored.table());
      long oid = CatalogChecks.tableOid(conn, table);
      List<String> dependents = Dependents.of(conn, oid);
      String shadow = Sql.qualified(stored.schema(), stored.names().shadow());
      long shadowOid = CatalogChecks.tableOid(conn, shadow);
      BuiltShadow built =
          new BuiltShadow(
              new CatalogReader(conn)
                  .read(new TableRef(stored.schema(), stored.names().shadow(), shadowOid)),
              new PropertyReader(conn).read(shadowOid));
      String aside = "inflight_replan_" + oid;
      st.execute("CREATE SCHEMA " + Sql.ident(aside));
      st.execute("ALTER TABLE " + shadow + " SET SCHEMA " + Sql.ident(aside));
      Plan again = planInTransaction(conn, spec, ops, retained, built);
      if (!again.syncExtras().equals(stored.syncExtras())) {
        throw new PlanRejectedException(
            "a materialized view over "
                + table
                + " was created or changed during the migration; materialized views are built over"
                + " the shadow before the swap, so it cannot be carried now: cancel and start the"
                + " migration again");
      }
      return new Replanned(again.swaps(), dependents, again.warnings());
    } finally {
      if (!conn.isClosed()) {
        conn.rollback();
        conn.setAutoCommit(auto);
      }
    }
  }

  /**
   * The swaps planned again, the dependents they were planned against, and the new plan's warnings.
   */
  public record Replanned(Swaps swaps, List<String> dependents, List<String> warnings) {}

  private Plan planOnce(Connection conn, MigrationSpec spec, List<ChangeOp> ops, boolean retained)
      throws SQLException {
    boolean auto = conn.getAutoCommit();
    conn.setAutoCommit(false);
    try (Statement st = conn.createStatement()) {
      st.execute(
          "SET LOCAL lock_timeout = '"
              + Durations.parse("lockTimeout", spec.cutover().lockTimeout()).toMillis()
              + "ms'");
      st.execute("SET LOCAL statement_timeout = '60s'");
      return planInTransaction(conn, spec, ops, retained, null);
    } finally {
      // A pool may have closed the connection after an error (HikariCP does on SQLSTATE 0A000,
      // which PostgreSQL uses for a subquery in a DEFAULT); closing ended the transaction too.
      if (!conn.isClosed()) {
        conn.rollback();
        conn.setAutoCommit(auto);
      }
    }
  }

  /**
   * The steps of planning, in the order they run in the planning transaction; each returns a part
   * of the plan, or what later steps need.
   */
  private Plan planInTransaction(
      Connection conn, MigrationSpec spec, List<ChangeOp> ops, boolean retained, BuiltShadow built)
      throws SQLException {
    Original original = Original.read(conn, spec.table(), built);
    SourceTable source = original.asPlanned();
    DryRun dry = new DryRun(conn);
    createLedgerSchema(conn, dry);
    DesignedShadow designed = ShadowDryRun.run(conn, original, ops, retained, dry);
    List<KeyColumn> key = KeyColumns.of(original.info(), designed);
    ShadowIndexes indexes = ShadowIndexes.plan(conn, original, designed);
    ShadowBuild shadow = ShadowPlanner.plan(conn, original, designed, indexes, dry);
    RowMovement rows = RowMovement.plan(conn, original, designed, key);
    ChangeLog forwardLog = rows.forwardLog(original);
    ChangeLog reverseLog = rows.reverseLog(original, retained);
    rows.check(original, forwardLog, reverseLog, dry);
    Swaps swaps = SwapPlanner.plan(original, designed, source, indexes);
    Teardown teardown = TeardownPlanner.plan(original, retained);
    Report report =
        ReportPlanner.plan(
            original, designed, indexes, retained, dry, ThrottleWarnings.of(conn, spec.backfill()));
    return new Plan(
            null,
            source,
            key,
            retained,
            report,
            shadow,
            forwardLog,
            reverseLog,
            rows.backfill(),
            rows.verification(),
            swaps,
            teardown)
        .withComputedHash();
  }

  /** A size for people: 1.5 GiB. */
  public static String humanBytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  /**
   * {@code CREATE SCHEMA IF NOT EXISTS} fails with a duplicate key when another process (the first
   * step of another migration) created the schema after this transaction looked: the name check
   * reads this session's catalog cache. A new transaction sees the schema, so planning starts
   * again.
   */
  private static void createLedgerSchema(Connection conn, DryRun dry) throws SQLException {
    Savepoint sp = conn.setSavepoint();
    try (Statement st = conn.createStatement()) {
      st.execute("CREATE SCHEMA IF NOT EXISTS " + Sql.ident(Names.LEDGER_SCHEMA));
      conn.releaseSavepoint(sp);
    } catch (SQLException e) {
      if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw new CreatedConcurrently();
      }
      conn.rollback(sp);
      dry.run("create schema", "CREATE SCHEMA IF NOT EXISTS " + Sql.ident(Names.LEDGER_SCHEMA));
    }
  }

  private static final String UNIQUE_VIOLATION = "23505";

  /** The ledger schema appeared while this plan was being made; plan again. */
  private static final class CreatedConcurrently extends RuntimeException {
    CreatedConcurrently() {
      super(null, null, false, false);
    }
  }
}
