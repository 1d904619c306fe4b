package dev.inflight.operator;

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
   * Stalled: {@code spec.database} names a transaction pooler (Crunchy PGO's {@code pgbouncer-*}
   * keys); Inflight's own connection must be a session on the primary.
   */
  ConnectionPooled,
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
  InternalError
}
