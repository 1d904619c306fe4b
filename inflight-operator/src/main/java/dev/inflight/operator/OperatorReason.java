package dev.inflight.operator;

import dev.inflight.engine.PlanRejectedException;
import java.util.List;

/**
 * The reasons the operator gives the status itself, when the engine has no answer: Stalled for a
 * problem a person must fix, Reconciling for a wait that ends by itself. The names are the {@code
 * reason} strings in the status and its Events.
 */
public enum OperatorReason {
  /** Stalled: the resource breaks a rule the API server could not check. */
  InvalidSpec,
  /** Stalled: {@code spec.database.secretRef.name} is missing. */
  DatabaseNotConfigured,
  /** Stalled: the Secret does not exist in the resource's namespace. */
  SecretNotFound,
  /**
   * Stalled: the Secret and {@code spec.database} do not give a host, database, user and password,
   * or a URL in it cannot be read; the message names the missing or malformed key.
   */
  SecretInvalid,
  /**
   * Stalled: the connection is transaction-pooled, whether {@code spec.database} names a pooler
   * (Crunchy PGO's {@code pgbouncer-*} keys) or Planning's probe of the connection found one (a
   * PgBouncer in transaction mode behind a plain URL); Inflight's own connection must be a session
   * on the primary.
   */
  ConnectionPooled,
  /** Stalled: the connection reaches a standby, which cannot be written; use the primary. */
  Standby,
  /** Stalled: planning refused the change; nothing was created. */
  PlanRejected,
  /** Stalled: the database refused the user name or password. */
  DatabaseAuthenticationFailed,
  /** Stalled: the database in the URL does not exist. */
  DatabaseNotFound,
  /** Stalled: a permanent engine error outside a step. */
  EngineError,
  /**
   * Reconciling: the database already has as many migrations copying as the operator allows ({@code
   * --max-copies-per-database}); the message names the one this migration waits for.
   */
  Queued,
  /** Reconciling: another migration is active on the table. */
  WaitingForTable,
  /** Reconciling: the database refused or lost the connection; retried. */
  DatabaseUnavailable,
  /** Reconciling: a transient engine error outside a step; retried. */
  Retrying,
  /** Reconciling: the reconcile itself failed; retried. */
  InternalError;

  /**
   * The reason for a refusal at Planning: {@link #ConnectionPooled} or {@link #Standby} when the
   * engine's check of the connection refused it (its message begins with what it found), {@link
   * #PlanRejected} for a refusal of the change itself. Alerts and runbooks tell a connection to fix
   * from a spec to fix by this reason.
   */
  static OperatorReason ofRefusal(PlanRejectedException e) {
    List<String> reasons = e.reasons();
    if (reasons.size() == 1 && reasons.get(0).startsWith(POOLED)) {
      return ConnectionPooled;
    }
    if (reasons.size() == 1 && reasons.get(0).startsWith(STANDBY)) {
      return Standby;
    }
    return PlanRejected;
  }

  /** How the engine's session check words its two refusals (dev.inflight.engine.plan). */
  private static final String POOLED = "the connection is transaction-pooled";

  private static final String STANDBY = "the connection reaches a standby";
}
