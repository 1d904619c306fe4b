package dev.inflight.operator;

import dev.inflight.api.ConditionType;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.api.MigrationSpec.DeletionPolicy;
import dev.inflight.api.MigrationStatus;
import dev.inflight.api.MigrationStatus.Condition;
import dev.inflight.api.SpecValidator;
import dev.inflight.engine.Engine;
import dev.inflight.engine.EngineException;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.PlanRejectedException;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.TableBusyException;
import dev.inflight.engine.ledger.Ledger;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.engine.sql.ConnectionFailure;
import dev.inflight.engine.sql.Errors;
import dev.inflight.operator.resource.ResourceSpecs;
import dev.inflight.operator.resource.SchemaMigration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a SchemaMigration: one bounded engine step per reconcile, then the ledger's state
 * mirrored into the status and the next reconcile scheduled. The database ledger is the truth;
 * nothing here keeps migration state in memory, so any replica can take over at any time.
 */
@ControllerConfiguration(
    name = "schemamigration",
    finalizerName = "inflight.dev/cleanup",
    fieldManager = SchemaMigrationReconciler.FIELD_MANAGER)
public final class SchemaMigrationReconciler
    implements Reconciler<SchemaMigration>, Cleaner<SchemaMigration> {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrationReconciler.class);

  /** The field manager of the operator's server-side applies (status, finalizer). */
  public static final String FIELD_MANAGER = "inflight-operator";

  static final Duration NEXT_STEP = Duration.ofMillis(100);
  static final Duration COMPLETED_POLL = Duration.ofSeconds(15);
  static final Duration PERSON_POLL = Duration.ofSeconds(30);
  static final Duration PROBLEM_POLL = Duration.ofMinutes(2);
  static final Duration DATABASE_RETRY = Duration.ofSeconds(20);
  static final Duration SECRET_TTL = Duration.ofSeconds(10);

  /**
   * How often a migration waiting for a copy slot asks again: a freed slot is taken within this
   * time, and a hundred waiting migrations cost the API server twenty status writes a second at
   * most, and only when their status changes.
   */
  static final Duration QUEUE_POLL = Duration.ofSeconds(5);

  private final KubernetesClient client;
  private final Databases databases;
  private final StatusWriter statuses = new StatusWriter();
  private final EventRecorder events;
  private final MigrationMetrics metrics;
  private final Clock clock;
  private final Map<String, CachedSecret> secrets = new ConcurrentHashMap<>();
  private final CopySlots slots;
  private final StatusWrites writes;

  SchemaMigrationReconciler(
      KubernetesClient client,
      Databases databases,
      EventRecorder events,
      MigrationMetrics metrics,
      Clock clock,
      int copiesPerDatabase) {
    this.client = client;
    this.databases = databases;
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
    this.slots = new CopySlots(copiesPerDatabase, QUEUE_POLL.multipliedBy(4), clock);
    this.writes = new StatusWrites(clock);
  }

  @Override
  public UpdateControl<SchemaMigration> reconcile(
      SchemaMigration r, Context<SchemaMigration> context) {
    MigrationSpec spec = ResourceSpecs.toCore(r.getSpec());
    List<String> invalid = SpecValidator.validateSpec(spec);
    if (!invalid.isEmpty()) {
      return problem(r, OperatorReason.InvalidSpec, String.join("; ", invalid), PROBLEM_POLL);
    }
    Engine engine;
    try {
      engine = databases.acquire(key(r), credentials(r));
    } catch (Credentials.Problem p) {
      return problem(r, p.reason(), p.getMessage(), PROBLEM_POLL);
    }
    try {
      Optional<MigrationRecord> found = engine.find(ledgerName(r));
      if (found.isEmpty()) {
        found = Optional.of(engine.submit(ledgerName(r), spec));
      }
      MigrationRecord m = found.get();
      if (CopySlots.startsCopying(m, spec)) {
        CopySlots.Decision slot =
            slots.admit(
                database(r),
                new Ledger.ActiveEntry(m.id(), m.name(), m.phase()),
                engine::activeMigrations);
        if (slot instanceof CopySlots.Queued q) {
          return queued(r, engine.status(m.id(), spec), q);
        }
      }
      StepResult result = engine.step(m.id(), spec);
      MigrationStatus status =
          statuses.fromEngine(r, engine.status(m.id(), spec), result, clock.instant());
      return publish(r, status, result);
    } catch (TableBusyException e) {
      return waiting(r, OperatorReason.WaitingForTable, e.getMessage(), PERSON_POLL);
    } catch (PlanRejectedException e) {
      return problem(r, OperatorReason.ofRefusal(e), e.getMessage(), PROBLEM_POLL);
    } catch (SQLException e) {
      return databaseProblem(r, e);
    } catch (EngineException e) {
      // Outside a step (planning a new migration): a lock not granted in time, say.
      return e.retryable()
          ? waiting(r, OperatorReason.Retrying, e.getMessage(), DATABASE_RETRY)
          : problem(r, OperatorReason.EngineError, e.getMessage(), PROBLEM_POLL);
    }
  }

  /** Reports a migration waiting for a copy slot and looks again after {@link #QUEUE_POLL}. */
  private UpdateControl<SchemaMigration> queued(
      SchemaMigration r, MigrationStatus engineStatus, CopySlots.Queued q) {
    MigrationStatus status = statuses.queued(r, engineStatus, q.message(), clock.instant());
    Condition before = StatusWriter.condition(r.getStatus(), ConditionType.Reconciling);
    if (before == null || !OperatorReason.Queued.name().equals(before.reason())) {
      events.emit(r, "Normal", OperatorReason.Queued.name(), q.message());
    }
    events.transitions(r, r.getStatus(), status);
    metrics.queued(r, status);
    return write(r, status, QUEUE_POLL);
  }

  /** Writes the status, emits Events and metrics, and schedules the next step. */
  private UpdateControl<SchemaMigration> publish(
      SchemaMigration r, MigrationStatus status, StepResult result) {
    events.transitions(r, r.getStatus(), status);
    metrics.stepped(r, status, result);
    Duration next = nextStep(result, status);
    if (next == null) {
      slots.forget(database(r), ledgerName(r));
      databases.release(key(r));
    }
    return write(r, status, next);
  }

  /**
   * The status written (or not, as {@link StatusWrites} decides) and the next look scheduled after
   * {@code next}, or not at all when null. A held progress write brings the next look forward to
   * when it is due, so what the resource shows is never more than {@link
   * StatusWrites#PROGRESS_INTERVAL} behind.
   */
  private UpdateControl<SchemaMigration> write(
      SchemaMigration r, MigrationStatus status, Duration next) {
    StatusWrites.Decision d = writes.decide(key(r), r.getStatus(), status, next != null);
    if (d instanceof StatusWrites.Held h && h.due().compareTo(next) < 0) {
      next = h.due();
    }
    UpdateControl<SchemaMigration> control =
        d instanceof StatusWrites.Write
            ? UpdateControl.patchStatus(statusOnly(r, status))
            : UpdateControl.noUpdate();
    return next == null ? control : control.rescheduleAfter(next);
  }

  /**
   * When to take the next step; null when there is nothing more to do. A finished migration whose
   * status does not say Ready is looked at again: the spec a reconcile sees can be a moment older
   * than the one in the API server (the informer's cache lags its own writes), and a status
   * computed from it must not stay until some unrelated event comes.
   */
  static Duration nextStep(StepResult result, MigrationStatus status) {
    if (result instanceof StepResult.Done
        && status != null
        && !"True".equals(statusOf(StatusWriter.condition(status, ConditionType.Ready)))) {
      return PERSON_POLL;
    }
    if (result instanceof StepResult.Progress) {
      return NEXT_STEP;
    }
    if (result instanceof StepResult.Waiting w) {
      return switch (w.reason()) {
        case AwaitingApproval, AwaitingCutover, Paused, ActionRefused -> PERSON_POLL;
        default -> w.retryAfter();
      };
    }
    if (result instanceof StepResult.Done d && d.phase() == MigrationPhase.Completed) {
      return COMPLETED_POLL;
    }
    return null;
  }

  private static String statusOf(Condition c) {
    return c == null ? null : c.status();
  }

  private UpdateControl<SchemaMigration> problem(
      SchemaMigration r, OperatorReason reason, String message, Duration retry) {
    MigrationStatus status = statuses.problem(r, reason, message, clock.instant());
    events.transitions(r, r.getStatus(), status);
    metrics.stalled(r, status, reason);
    return write(r, status, retry);
  }

  private UpdateControl<SchemaMigration> databaseProblem(SchemaMigration r, SQLException top) {
    // The pool reports a failed connection attempt as its own timeout; the driver's error, with
    // the message that says why, is the innermost SQL error of the chain.
    SQLException e = top;
    for (Throwable t = top.getCause(); t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        e = s;
      }
    }
    String message = "database: " + Errors.firstLine(String.valueOf(e.getMessage()));
    ConnectionFailure failure = ConnectionFailure.of(e).orElse(null);
    if (failure == ConnectionFailure.AuthenticationFailed) {
      String secret = secretKey(r);
      if (secret != null) {
        secrets.remove(secret);
      }
      // Wrong credentials do not fix themselves: report once, look again only slowly.
      return problem(r, OperatorReason.DatabaseAuthenticationFailed, message, PROBLEM_POLL);
    }
    if (failure == ConnectionFailure.DatabaseNotFound) {
      return problem(r, OperatorReason.DatabaseNotFound, message, PROBLEM_POLL);
    }
    return waiting(r, OperatorReason.DatabaseUnavailable, message, DATABASE_RETRY);
  }

  /** A wait that ends by itself (a busy table, a database that is restarting). */
  private UpdateControl<SchemaMigration> waiting(
      SchemaMigration r, OperatorReason reason, String message, Duration retry) {
    MigrationStatus status = statuses.retrying(r, reason, message, clock.instant());
    events.transitions(r, r.getStatus(), status);
    metrics.retrying(r, status, reason);
    return write(r, status, retry);
  }

  @Override
  public ErrorStatusUpdateControl<SchemaMigration> updateErrorStatus(
      SchemaMigration r, Context<SchemaMigration> context, Exception e) {
    LOG.error(
        "reconcile of {}/{} failed", r.getMetadata().getNamespace(), r.getMetadata().getName(), e);
    MigrationStatus retrying =
        statuses.retrying(
            r,
            OperatorReason.InternalError,
            e.getClass().getSimpleName() + ": " + e.getMessage(),
            clock.instant());
    metrics.retrying(r, retrying, OperatorReason.InternalError);
    SchemaMigration status = statusOnly(r, retrying);
    boolean lastAttempt = context.getRetryInfo().map(RetryInfo::isLastAttempt).orElse(false);
    if (lastAttempt) {
      // Retries are spent; without a schedule of its own the next look would be hours away while
      // capture triggers keep filling the log. Keep looking, slowly.
      return ErrorStatusUpdateControl.patchStatus(status)
          .withNoRetry()
          .rescheduleAfter(PROBLEM_POLL);
    }
    return ErrorStatusUpdateControl.patchStatus(status);
  }

  /**
   * Deletion: {@code Retain} leaves the database as it is; {@code Cleanup} cancels an unfinished
   * migration or finalizes a finished one, one step per call. Deleting never rolls back: a rollback
   * already under way is finished, nothing else is undone.
   */
  @Override
  public DeleteControl cleanup(SchemaMigration r, Context<SchemaMigration> context) {
    metrics.forget(r.getMetadata().getNamespace(), r.getMetadata().getName());
    slots.forget(database(r), ledgerName(r));
    writes.forget(key(r));
    if (r.getSpec().deletionPolicy() != DeletionPolicy.Cleanup) {
      databases.release(key(r));
      return DeleteControl.defaultDelete();
    }
    try {
      Engine engine = databases.acquire(key(r), credentials(r));
      Optional<MigrationRecord> found = engine.find(ledgerName(r));
      if (found.isEmpty() || found.get().phase().terminal()) {
        databases.release(key(r));
        return DeleteControl.defaultDelete();
      }
      MigrationRecord m = found.get();
      Action action =
          m.phase() == MigrationPhase.RollingBack
              ? Action.Rollback
              : m.phase().beforeCutover() ? Action.Cancel : Action.Finalize;
      StepResult result = engine.step(m.id(), ResourceSpecs.toCore(r.getSpec()).withAction(action));
      if (result.phase().terminal()) {
        events.emit(
            r,
            "Normal",
            "CleanedUp",
            "deleted with deletionPolicy Cleanup: migration " + result.phase());
        databases.release(key(r));
        return DeleteControl.defaultDelete();
      }
      Duration next = nextStep(result, null);
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(next == null ? NEXT_STEP : next);
    } catch (Credentials.Problem p) {
      // Without credentials nothing can be cleaned; say so and let the deletion proceed rather
      // than block it forever (the ledger still describes what is left in the database).
      events.emit(
          r,
          "Warning",
          "CleanupSkipped",
          p.getMessage() + "; run inflight cancel or finalize against the database");
      databases.release(key(r));
      return DeleteControl.defaultDelete();
    } catch (EngineException e) {
      // The spec no longer describes the migration in the ledger (its table or changes were
      // edited): cleaning up with it could act on the wrong thing. Say so and wait; restoring the
      // spec or setting deletionPolicy: Retain lets the deletion finish.
      events.emit(
          r,
          "Warning",
          "CleanupBlocked",
          e.getMessage() + "; restore the spec, or set deletionPolicy: Retain");
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(PROBLEM_POLL);
    } catch (SQLException e) {
      LOG.warn(
          "cleanup of {}/{} waits for the database: {}",
          r.getMetadata().getNamespace(),
          r.getMetadata().getName(),
          e.getMessage());
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(DATABASE_RETRY);
    }
  }

  /**
   * The credentials, read from the Secret at most once per {@link #SECRET_TTL} for each Secret: a
   * migration steps every {@link #NEXT_STEP} while it works, and the API server should not serve a
   * GET for each step. A rotated Secret is seen within the TTL, and at once after an authentication
   * failure.
   */
  private Credentials credentials(SchemaMigration r) throws Credentials.Problem {
    String key = secretKey(r);
    Instant now = clock.instant();
    CachedSecret cached = key == null ? null : secrets.get(key);
    if (cached != null && now.isBefore(cached.until())) {
      return cached.credentials();
    }
    Credentials fresh = Credentials.read(client, r);
    if (key != null) {
      secrets.put(key, new CachedSecret(fresh, now.plus(SECRET_TTL)));
    }
    return fresh;
  }

  /**
   * The database a migration works on, for its copy slot: the JDBC URL without its parameters
   * (host, port and database name), whichever account or Secret reaches it. The credentials come
   * from the cache {@link #credentials} keeps, so this costs no request.
   */
  private String database(SchemaMigration r) {
    try {
      return CopySlots.database(credentials(r).url());
    } catch (Credentials.Problem p) {
      return ledgerName(r);
    }
  }

  /** The Secret and what the spec adds to it, or null when the spec names no Secret. */
  private static String secretKey(SchemaMigration r) {
    return Credentials.cacheKey(r);
  }

  private record CachedSecret(Credentials credentials, Instant until) {}

  /**
   * What the operator applies to the status subresource: the resource's name, namespace and the new
   * status, nothing else. Server-side apply makes the operator's field manager the owner of exactly
   * these fields, so a spec applied by a person or a GitOps tool (another manager) never conflicts
   * with it, and a field the operator stops setting is removed. No resourceVersion: a status
   * computed from the ledger is right whatever happened to the spec meanwhile.
   */
  static SchemaMigration statusOnly(SchemaMigration r, MigrationStatus status) {
    SchemaMigration apply = new SchemaMigration();
    apply.initNameAndNamespaceFrom(r);
    apply.setStatus(status);
    return apply;
  }

  /** The migration's name in the database ledger. */
  static String ledgerName(SchemaMigration r) {
    return r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
  }

  private static String key(SchemaMigration r) {
    return r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
  }
}
