package dev.inflight.operator;

import dev.inflight.api.ConditionType;
import dev.inflight.api.MigrationStatus;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.StepResult.Throttle;
import dev.inflight.operator.resource.SchemaMigration;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

/**
 * Per-migration metrics beside JOSDK's reconcile metrics, named as Prometheus expects: the {@code
 * inflight_migration_} prefix, base units in the name ({@code _seconds}, {@code _ratio}, {@code
 * _timestamp_seconds}), {@code _total} on counters. Every series carries {@code namespace}, {@code
 * name} and {@code table}; the only other labels are closed sets ({@code phase}, {@code condition},
 * {@code reason}), so the number of series grows with the number of migrations and nothing else.
 * Messages and SQL errors stay in the status and Events.
 *
 * <p>The gauges mirror the last status the operator wrote; the counters count what this process saw
 * (they restart at zero on a new leader, which {@code rate()} and {@code increase()} handle). The
 * names are the contract of deploy/monitoring: its dashboard and alerting rules query them, and a
 * test checks each name against a live scrape.
 */
final class MigrationMetrics {
  /** The closed set of reasons a step is retried, for {@code inflight_migration_retries_total}. */
  enum RetryReason {
    /** A lock was not granted within its {@code lock_timeout}, or sessions stood in the way. */
    LockContention,
    /** A transient engine or database error inside or outside a step. */
    TransientError,
    /** The database refused or lost the connection. */
    DatabaseUnavailable,
    /** The reconcile itself failed. */
    InternalError
  }

  /** The reason label of a failed step in {@code inflight_migration_errors_total}. */
  static final String MIGRATION_FAILED = "MigrationFailed";

  private final MeterRegistry registry;
  private final Clock clock;
  private final Map<String, Series> series = new ConcurrentHashMap<>();

  MigrationMetrics(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  /** After an engine step: the status written and what the step achieved. */
  void stepped(SchemaMigration r, MigrationStatus status, StepResult result) {
    Series s = series(r);
    s.status = status;
    s.throttle = null;
    if (result instanceof StepResult.Progress || result instanceof StepResult.Done) {
      s.lastProgress = clock.instant();
    } else if (result instanceof StepResult.Waiting w) {
      switch (w.reason()) {
        case Throttled -> {
          s.throttle = w.throttle();
          s.throttledSeconds.get(w.throttle()).increment(w.retryAfter().toNanos() / 1e9);
        }
        case LockContention -> s.retries.get(RetryReason.LockContention).increment();
        case RetryingAfterError -> s.retries.get(RetryReason.TransientError).increment();
        // Where a person wants it: not stuck, so InflightMigrationNoProgress stays quiet.
        case Paused, AwaitingApproval, AwaitingCutover -> s.lastProgress = clock.instant();
        default -> {}
      }
    } else if (result instanceof StepResult.Failed) {
      error(s, MIGRATION_FAILED);
    }
  }

  /**
   * Waiting for its database's copy slot: another migration copies there. Not stuck, so the
   * no-progress alert stays quiet; the one copying is the migration to watch.
   */
  void queued(SchemaMigration r, MigrationStatus status) {
    Series s = series(r);
    s.status = status;
    s.throttle = null;
    s.lastProgress = clock.instant();
  }

  /** The operator could not act on the migration and a person must help (Stalled). */
  void stalled(SchemaMigration r, MigrationStatus status, OperatorReason reason) {
    Series s = series(r);
    s.status = status;
    s.throttle = null;
    error(s, reason.name());
  }

  /** The operator waits on a condition that ends by itself, retrying after {@code reason}. */
  void retrying(SchemaMigration r, MigrationStatus status, OperatorReason reason) {
    Series s = series(r);
    s.status = status;
    s.throttle = null;
    RetryReason retry =
        switch (reason) {
          case DatabaseUnavailable -> RetryReason.DatabaseUnavailable;
          case Retrying -> RetryReason.TransientError;
          case InternalError -> RetryReason.InternalError;
          default -> null;
        };
    if (retry != null) {
      s.retries.get(retry).increment();
    }
  }

  /** The resource is gone: its series go with it. */
  void forget(String namespace, String name) {
    Series s = series.remove(namespace + "/" + name);
    if (s != null) {
      s.meters.forEach(registry::remove);
    }
  }

  /**
   * Counts an error; each reason's series is made on its first error (reasons are a closed set).
   */
  private void error(Series s, String reason) {
    s.errors
        .computeIfAbsent(
            reason,
            k -> {
              Counter c =
                  Counter.builder("inflight_migration_errors")
                      .description("Reconciles that ended in a problem a person must fix")
                      .tags(s.tags.and("reason", k))
                      .register(registry);
              s.meters.add(c);
              return c;
            })
        .increment();
  }

  private Series series(SchemaMigration r) {
    String namespace = r.getMetadata().getNamespace();
    String name = r.getMetadata().getName();
    String table = r.getSpec() == null || r.getSpec().table() == null ? "" : r.getSpec().table();
    return series.computeIfAbsent(
        namespace + "/" + name,
        k -> new Series(Tags.of("namespace", namespace, "name", name, "table", table)));
  }

  /** One migration's meters and the state its gauges read. */
  private final class Series {
    final Tags tags;
    final List<Meter> meters = new CopyOnWriteArrayList<>();
    final Map<RetryReason, Counter> retries = new ConcurrentHashMap<>();
    final Map<Throttle, Counter> throttledSeconds = new ConcurrentHashMap<>();
    final Map<String, Counter> errors = new ConcurrentHashMap<>();
    volatile MigrationStatus status;
    volatile Throttle throttle;
    volatile Instant lastProgress = clock.instant();

    Series(Tags tags) {
      this.tags = tags;
      gauge(
          "inflight_migration_progress_ratio",
          "Rows copied over rows estimated, 0 to 1",
          null,
          s -> ratio(s.progress()));
      gauge(
          "inflight_migration_rows_estimated",
          "The planner's estimate of the table's rows",
          null,
          s -> s.progress() == null ? 0 : s.progress().rowsEstimated());
      meters.add(
          FunctionCounter.builder(
                  "inflight_migration_rows_copied", this, x -> x.progress(p -> p.rowsCopied()))
              .description("Rows copied to the new table")
              .tags(tags)
              .register(registry));
      gauge(
          "inflight_migration_rows_per_second",
          "The copy rate the engine measured",
          null,
          s -> s.progress() == null ? 0 : s.progress().rowsPerSecond());
      gauge(
          "inflight_migration_eta_seconds",
          "Estimated time to the end of the copy; NaN unknown",
          "seconds",
          s ->
              s.progress() == null || s.progress().etaSeconds() == null
                  ? Double.NaN
                  : s.progress().etaSeconds());
      gauge(
          "inflight_migration_log_backlog",
          "Changed keys captured and not yet replayed",
          null,
          s -> s.progress() == null ? 0 : s.progress().logBacklog());
      meters.add(
          FunctionCounter.builder(
                  "inflight_migration_cutover_attempts",
                  this,
                  x ->
                      x.status == null || x.status.cutover() == null
                          ? 0
                          : x.status.cutover().attempts())
              .description("Swap attempts, cut-over and rollback")
              .tags(tags)
              .register(registry));
      gauge(
          "inflight_migration_writes_blocked_seconds",
          "The longest any swap attempt could hold up writes",
          "seconds",
          s -> s.cutover() == null ? 0 : s.cutover().writesBlockedMillis() / 1000.0);
      gauge(
          "inflight_migration_writes_blocked_all_attempts_seconds",
          "What writes waited over every swap attempt, failed ones included",
          "seconds",
          s -> s.cutover() == null ? 0 : s.cutover().writesBlockedTotalMillis() / 1000.0);
      gauge(
          "inflight_migration_rollback_window_expiry_timestamp_seconds",
          "When the archived table stops being kept in sync for a rollback; NaN when none",
          "seconds",
          MigrationMetrics::rollbackUntil);
      meters.add(
          Gauge.builder(
                  "inflight_migration_last_progress_timestamp_seconds",
                  this,
                  x -> x.lastProgress.toEpochMilli() / 1000.0)
              .description("When a step last did work or found the migration waiting for a person")
              .baseUnit("seconds")
              .tags(tags)
              .register(registry));
      for (MigrationPhase p : MigrationPhase.values()) {
        meters.add(
            Gauge.builder(
                    "inflight_migration_phase",
                    this,
                    x -> x.status != null && p.name().equals(x.status.phase()) ? 1 : 0)
                .description("1 for the migration's current phase, 0 for every other")
                .tags(tags.and("phase", p.name()))
                .register(registry));
      }
      for (ConditionType c : ConditionType.values()) {
        meters.add(
            Gauge.builder("inflight_migration_condition", this, x -> conditionTrue(x.status, c))
                .description("1 while the condition's status is True")
                .tags(tags.and("condition", c.name()))
                .register(registry));
      }
      for (Throttle t : Throttle.values()) {
        meters.add(
            Gauge.builder("inflight_migration_throttled", this, x -> x.throttle == t ? 1 : 0)
                .description("1 while the last step waited for this limit")
                .tags(tags.and("reason", t.name()))
                .register(registry));
        Counter seconds =
            Counter.builder("inflight_migration_throttled_seconds")
                .description("Time the migration was held back by this limit")
                .baseUnit("seconds")
                .tags(tags.and("reason", t.name()))
                .register(registry);
        throttledSeconds.put(t, seconds);
        meters.add(seconds);
      }
      for (RetryReason reason : RetryReason.values()) {
        Counter retry =
            Counter.builder("inflight_migration_retries")
                .description("Steps that ended waiting to retry after a transient problem")
                .tags(tags.and("reason", reason.name()))
                .register(registry);
        retries.put(reason, retry);
        meters.add(retry);
      }
    }

    private double progress(ToDoubleFunction<MigrationStatus.Progress> f) {
      MigrationStatus s = status;
      return s == null || s.progress() == null ? 0 : f.applyAsDouble(s.progress());
    }

    private void gauge(
        String name, String help, String unit, ToDoubleFunction<MigrationStatus> value) {
      meters.add(
          Gauge.builder(
                  name, this, x -> x.status == null ? Double.NaN : value.applyAsDouble(x.status))
              .description(help)
              .baseUnit(unit)
              .tags(tags)
              .register(registry));
    }
  }

  /** The finer of the row count and the engine's percent (which reaches 100 when the copy ends). */
  private static double ratio(MigrationStatus.Progress p) {
    if (p == null) {
      return 0;
    }
    double byRows =
        p.rowsEstimated() <= 0 ? 0 : Math.min(1.0, (double) p.rowsCopied() / p.rowsEstimated());
    return Math.max(byRows, Math.min(100, p.percent()) / 100.0);
  }

  private static double rollbackUntil(MigrationStatus s) {
    if (s.rollback() == null || !s.rollback().available() || s.rollback().until() == null) {
      return Double.NaN;
    }
    try {
      return Instant.parse(s.rollback().until()).toEpochMilli() / 1000.0;
    } catch (DateTimeParseException e) {
      return Double.NaN;
    }
  }

  private static double conditionTrue(MigrationStatus s, ConditionType type) {
    MigrationStatus.Condition c = StatusWriter.condition(s, type);
    return c != null && "True".equals(c.status()) ? 1 : 0;
  }
}
