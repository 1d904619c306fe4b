package dev.inflight.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.api.MigrationStatus;
import dev.inflight.engine.StepResult.WaitReason;
import dev.inflight.engine.catalog.CatalogReader;
import dev.inflight.engine.catalog.TableRef;
import dev.inflight.engine.catalog.TableSnapshot;
import dev.inflight.engine.ledger.AdvisoryLocks;
import dev.inflight.engine.ledger.Ledger;
import dev.inflight.engine.ledger.LedgerSchema;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.engine.phase.PhaseStep;
import dev.inflight.engine.phase.PhaseSteps;
import dev.inflight.engine.phase.StepContext;
import dev.inflight.engine.phase.SubmittedPlans;
import dev.inflight.engine.plan.Plan;
import dev.inflight.engine.plan.Planner;
import dev.inflight.engine.plan.SessionCheck;
import dev.inflight.engine.plan.Swaps;
import dev.inflight.engine.sql.Errors;
import dev.inflight.engine.sql.Sql;
import dev.inflight.engine.sync.Backoff;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import javax.sql.DataSource;

/**
 * The engine's entry points: plan a spec, submit it, and run one bounded step at a time. Callers
 * (the command line, the operator) loop over {@link #step}; all durable state is in the database,
 * so any caller in any process can continue a migration another one started.
 */
public final class Engine {
  /** Consecutive transient failures after which a migration stops retrying and fails. */
  static final int MAX_CONSECUTIVE_ERRORS = 30;

  private final DataSource dataSource;
  private final Clock clock;
  private final EngineSettings settings;
  private final ObjectMapper json;
  private final Planner planner = new Planner();
  private final Ledger ledger;
  private final PhaseSteps steps;
  private final SubmittedPlans submitted = new SubmittedPlans();
  private final Backoff backoff;
  private final StatusView statusView;
  // Once the connection passed, it is a session on the primary for this engine's life: its pool
  // always connects to the same place.
  private volatile boolean sessionChecked;
  private final PooledSessions sessions;

  public Engine(
      DataSource dataSource, Clock clock, EngineSettings settings, RandomGenerator random) {
    this.dataSource = dataSource;
    this.sessions = new PooledSessions(dataSource);
    this.clock = clock;
    this.settings = settings;
    this.json = Json.mapper();
    this.ledger = new Ledger(json);
    this.steps = new PhaseSteps(json, submitted);
    this.backoff = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(15), random);
    this.statusView = new StatusView(json, steps);
  }

  /** Computes the plan without changing anything in the database. */
  public Plan plan(MigrationSpec spec) throws SQLException {
    requireSession();
    try (Connection conn = session()) {
      return planner.plan(conn, spec);
    }
  }

  /**
   * Returns the active migration of this name, or plans and records a new one in phase Planning. A
   * table with another active migration is refused with that migration's name and phase. A plan
   * recorded here is handed to this engine's first Planning step of the migration, which accepts it
   * without a second dry run when it follows at once and the table is unchanged.
   */
  public MigrationRecord submit(String name, MigrationSpec spec) throws SQLException {
    requireSession();
    try (Connection conn = session()) {
      boolean installed = LedgerSchema.installed(conn);
      if (installed) {
        Optional<MigrationRecord> active = ledger.activeByName(conn, name);
        if (active.isPresent()) {
          requireSameMigration(active.get(), spec);
          return active.get();
        }
        // A busy table is reported as such, before planning trips over the other migration's
        // shadow table.
        TableRef ref = new CatalogReader(conn).resolve(spec.table());
        Optional<MigrationRecord> busy = ledger.activeByTable(conn, ref.schema(), ref.name());
        if (busy.isPresent()) {
          throw busyTable(busy.get());
        }
      }
      // Plan first: a refused spec must leave the database exactly as it was, ledger included.
      Instant plannedAt = clock.instant();
      Plan plan = planner.plan(conn, spec);
      LedgerSchema.ensure(conn);
      Optional<MigrationRecord> other = ledger.activeByTable(conn, plan.schema(), plan.table());
      if (other.isPresent()) {
        throw busyTable(other.get());
      }
      try {
        MigrationRecord recorded =
            ledger.insert(
                conn,
                name,
                plan.schema(),
                plan.table(),
                plan.hash(),
                json.writeValueAsString(plan),
                json.writeValueAsString(spec),
                clock.instant());
        // The first Planning step accepts this plan instead of making it again.
        submitted.recorded(recorded.id(), plan.hash(), plannedAt);
        return recorded;
      } catch (SQLException e) {
        if ("23505".equals(e.getSQLState())) {
          Optional<MigrationRecord> racer = ledger.activeByTable(conn, plan.schema(), plan.table());
          if (racer.isPresent() && !racer.get().name().equals(name)) {
            throw busyTable(racer.get());
          }
          return ledger.activeByName(conn, name).orElseThrow(() -> e);
        }
        throw e;
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A name identifies one migration: resuming or stepping it with another table or other changes
   * would run the old plan while reporting success for the new spec, so it is refused.
   */
  private void requireSameMigration(MigrationRecord active, MigrationSpec spec) {
    try {
      MigrationSpec stored = json.readValue(active.specJson(), MigrationSpec.class);
      if (!stored.table().equals(spec.table())
          || !json.writeValueAsString(stored.changes())
              .equals(json.writeValueAsString(spec.changes()))) {
        throw new PlanRejectedException(
            "migration "
                + active.name()
                + " is active ("
                + active.phase()
                + ") on "
                + stored.table()
                + (stored.table().equals(spec.table())
                    ? " with other changes"
                    : ", not " + spec.table())
                + "; restore its spec, finish, cancel or roll it back, or give the new migration"
                + " another name");
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static TableBusyException busyTable(MigrationRecord other) {
    return new TableBusyException(
        other.table()
            + " already has an active migration, "
            + other.name()
            + " ("
            + other.phase()
            + "); one migration per table at a time");
  }

  /**
   * Refuses, before any planning or DDL, a connection that is not a session on the primary (a
   * standby, a transaction pool): see {@link SessionCheck}. A refusal is a {@link
   * PlanRejectedException}, and the next call checks again.
   */
  private void requireSession() throws SQLException {
    if (!sessionChecked) {
      SessionCheck.require(dataSource);
      sessionChecked = true;
    }
  }

  /** The active migration of this name, else the latest one; empty if there is none. */
  public Optional<MigrationRecord> find(String name) throws SQLException {
    try (Connection conn = session()) {
      if (!LedgerSchema.installed(conn)) {
        return Optional.empty();
      }
      Optional<MigrationRecord> active = ledger.activeByName(conn, name);
      return active.isPresent() ? active : ledger.latestByName(conn, name);
    }
  }

  /** The migrations of this database not yet finished, oldest first; empty without a ledger. */
  public List<Ledger.ActiveEntry> activeMigrations() throws SQLException {
    try (Connection conn = session()) {
      return LedgerSchema.installed(conn) ? ledger.activeEntries(conn) : List.of();
    }
  }

  public MigrationRecord get(long id) throws SQLException {
    try (Connection conn = session()) {
      return ledger.get(conn, id);
    }
  }

  public List<MigrationRecord> list(int limit) throws SQLException {
    try (Connection conn = session()) {
      return LedgerSchema.installed(conn) ? ledger.list(conn, limit) : List.of();
    }
  }

  public List<Ledger.HistoryEntry> history(int limit) throws SQLException {
    try (Connection conn = session()) {
      return LedgerSchema.installed(conn) ? ledger.history(conn, limit) : List.of();
    }
  }

  /** What {@link #verify} compared the live table with, and the differences it found. */
  public record Verification(String expected, List<String> differences) {}

  /**
   * Compares the live table with what it must be now: the planned shape once cut over (Completed,
   * Finalized), the original shape otherwise. Read only.
   */
  public Verification verify(long id) throws SQLException {
    try (Connection conn = session()) {
      MigrationRecord m = ledger.get(conn, id);
      Plan plan = json.readValue(m.planJson(), Plan.class);
      boolean newShape =
          m.phase() == MigrationPhase.Completed
              || m.phase() == MigrationPhase.Finalized
              || m.phase() == MigrationPhase.RollingBack;
      var expected = newShape ? plan.expectedSnapshot() : plan.originalSnapshot();
      long oid = new CatalogReader(conn).resolve(Sql.qualified(plan.schema(), plan.table())).oid();
      var actual = TableSnapshot.read(conn, oid, x -> x);
      return new Verification(
          newShape ? "the planned shape (after cut-over)" : "the original shape",
          TableSnapshot.differences(expected, actual));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The status as the resource shows it, read without taking the migration's lock. */
  public MigrationStatus status(long id, MigrationSpec current) throws SQLException {
    try (Connection conn = session()) {
      return statusView.build(conn, ledger.get(conn, id), current, clock.instant());
    }
  }

  /**
   * Runs one bounded step of the migration as {@code current} (the spec as it is now: control and
   * pacing may have changed) asks. Never throws for migration-level problems: they come back as a
   * result, and are recorded in the ledger.
   */
  public StepResult step(long id, MigrationSpec current) throws SQLException {
    try {
      return stepOnce(id, current);
    } catch (SQLException e) {
      if (!Errors.retryable(e)) {
        throw e;
      }
      // The session broke before the step could record anything (the server restarted, an
      // administrator ended the connection): a wait, not a failure. The pool has discarded the
      // connection; if the database is really gone, reading the phase fails too and says so.
      MigrationRecord m = phaseAfterBrokenSession(id);
      return new StepResult.Waiting(
          m.phase(),
          WaitReason.RetryingAfterError,
          backoff.delay(1),
          Errors.wrap("connection", e).getMessage());
    }
  }

  /**
   * Reads the migration after a broken session. The pool may hold more connections the same event
   * ended (one per connection the engine used at once), each discarded as it is handed out, so a
   * few attempts, bounded.
   */
  private MigrationRecord phaseAfterBrokenSession(long id) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try {
        return get(id);
      } catch (SQLException e) {
        if (attempt >= 4 || !Errors.retryable(e)) {
          throw e;
        }
      }
    }
  }

  private StepResult stepOnce(long id, MigrationSpec current) throws SQLException {
    requireSession();
    try (Connection conn = session()) {
      if (!AdvisoryLocks.tryLock(conn, id)) {
        MigrationRecord m = ledger.get(conn, id);
        return new StepResult.Waiting(
            m.phase(),
            WaitReason.Busy,
            Duration.ofSeconds(1),
            "another process is running a step of this migration");
      }
      try {
        return stepLocked(conn, id, current);
      } finally {
        if (!conn.isClosed()) {
          try {
            AdvisoryLocks.unlock(conn, id);
          } catch (SQLException ignored) {
            // The session is gone, and its lock with it.
          }
        }
      }
    }
  }

  private StepResult stepLocked(Connection conn, long id, MigrationSpec current)
      throws SQLException {
    MigrationRecord m = ledger.get(conn, id);
    if (m.phase() == MigrationPhase.RolledBack && m.postSwapPending()) {
      PhaseSteps.settleRollback(context(conn, m, current));
    }
    if (m.phase().terminal()) {
      return m.phase() == MigrationPhase.Failed
          ? new StepResult.Failed(m.phase(), m.failure())
          : new StepResult.Done(m.phase(), m.phase().name());
    }
    // Before the failure handling below: a spec that no longer describes this migration (its
    // table or changes edited where nothing made them immutable) is refused, and the migration
    // waits as it is until the spec is restored.
    requireSameMigration(m, current);
    StepContext ctx = context(conn, m, current);
    try {
      StepResult result = dispatch(ctx, current.control().action());
      if (ctx.record().consecutiveErrors() > 0
          && !(result instanceof StepResult.Waiting w
              && w.reason() == WaitReason.RetryingAfterError)) {
        ledger
            .update(id)
            .set("consecutive_errors = 0")
            .set("last_error = NULL")
            .execute(conn, clock.instant());
      }
      return result;
    } catch (SQLException | EngineException e) {
      return failure(id, m, e);
    }
  }

  private StepResult dispatch(StepContext ctx, Action action) throws SQLException {
    MigrationRecord m = ctx.record();
    if (m.failure() != null) {
      return PhaseSteps.fail(ctx);
    }
    PhaseStep step = steps.of(m.phase()).orElseThrow();
    return switch (action) {
      case Run -> step.advance(ctx);
      case Pause ->
          new StepResult.Waiting(m.phase(), WaitReason.Paused, Duration.ofSeconds(5), "paused");
      case Cancel ->
          step instanceof PhaseStep.BeforeCutover before
              ? before.cancel(ctx)
              : refused(
                  m,
                  "Cancel is only possible before cut-over; the new table is live, use Rollback");
      case Rollback ->
          step instanceof PhaseStep.AfterCutover after
              ? after.rollback(ctx)
              : refused(
                  m, "Rollback is only possible after cut-over; use Cancel to stop before it");
      case Finalize ->
          m.phase() == MigrationPhase.Completed
              ? PhaseSteps.finalizeNow(ctx)
              : refused(
                  m,
                  "Finalize is only possible once Completed (the migration is " + m.phase() + ")");
    };
  }

  private static StepResult refused(MigrationRecord m, String why) {
    return new StepResult.Waiting(m.phase(), WaitReason.ActionRefused, Duration.ofSeconds(10), why);
  }

  /**
   * Records an error: transient ones are retried with backoff, permanent ones end the migration.
   */
  private StepResult failure(long id, MigrationRecord before, Exception e) throws SQLException {
    boolean retryable =
        e instanceof SQLException s ? Errors.retryable(s) : ((EngineException) e).retryable();
    String message =
        e instanceof SQLException s
            ? Errors.wrap(before.phase().name(), s).getMessage()
            : e.getMessage();
    try (Connection conn = session()) {
      MigrationRecord m = ledger.get(conn, id);
      boolean permanent = !retryable || m.consecutiveErrors() + 1 >= MAX_CONSECUTIVE_ERRORS;
      if (permanent && !m.phase().beforeCutover()) {
        // After cut-over the new table is live and must stay so; the error is reported and the
        // step retried later, but nothing is undone behind the user's back.
        permanent = false;
      }
      if (!permanent) {
        ledger
            .update(id)
            .set("last_error = ?", message)
            .set("consecutive_errors = consecutive_errors + 1")
            .execute(conn, clock.instant());
        return new StepResult.Waiting(
            m.phase(),
            WaitReason.RetryingAfterError,
            backoff.delay(m.consecutiveErrors()),
            message);
      }
      ledger
          .update(id)
          .set("failure = ?", message)
          .set("last_error = ?", message)
          .execute(conn, clock.instant());
      return new StepResult.Progress(m.phase(), "failed, cleaning up: " + message);
    }
  }

  private StepContext context(Connection conn, MigrationRecord m, MigrationSpec current)
      throws SQLException {
    try {
      Plan plan = json.readValue(m.planJson(), Plan.class);
      String replanned = ledger.replannedSwaps(conn, m.id());
      if (replanned != null) {
        plan = plan.withSwaps(json.readValue(replanned, Swaps.class));
      }
      MigrationSpec stored = json.readValue(m.specJson(), MigrationSpec.class);
      return new StepContext(
          conn,
          m,
          plan,
          current,
          stored,
          ledger,
          planner,
          clock,
          settings,
          backoff,
          json.writeValueAsString(stored.changes()),
          sessions);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "unreadable plan or spec in the ledger for migration " + m.id(), e);
    }
  }

  private Connection session() throws SQLException {
    return sessions.open();
  }
}
