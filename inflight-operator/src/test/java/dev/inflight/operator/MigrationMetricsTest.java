package dev.inflight.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.MigrationStatus;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.StepResult.Throttle;
import dev.inflight.engine.StepResult.WaitReason;
import dev.inflight.operator.resource.SchemaMigration;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What each kind of reconcile outcome does to a migration's series, and that deletion ends them.
 */
class MigrationMetricsTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.ofEpochSecond(1000));
  private final MigrationMetrics metrics =
      new MigrationMetrics(
          registry,
          new Clock() {
            @Override
            public ZoneId getZone() {
              return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
              return this;
            }

            @Override
            public Instant instant() {
              return now.get();
            }
          });

  private static SchemaMigration migration(String name) {
    SchemaMigration r =
        Serialization.unmarshal(
            OperatorHarness.yaml(
                name, "public.users", "- addColumn: {name: phone, type: text}\n", null),
            SchemaMigration.class);
    r.getMetadata().setNamespace("apps");
    return r;
  }

  private static MigrationStatus status(String phase, String rollbackUntil) {
    return new MigrationStatus(
        1L,
        phase,
        "",
        null,
        new MigrationStatus.Progress(500, 1000, 50, 100, 5L, 7),
        new MigrationStatus.CutoverStatus(2, null, null, 1500, 1700, null),
        rollbackUntil == null
            ? null
            : new MigrationStatus.RollbackStatus(
                true, "public.users__ifl_old", rollbackUntil, 0, 0),
        null,
        null,
        List.of());
  }

  private double value(String series) {
    String scrape = registry.scrape();
    for (String line : scrape.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1));
      }
    }
    throw new AssertionError(series + " not in\n" + scrape);
  }

  @Test
  void outcomesMoveTheirSeriesAndDeletionRemovesThemAll() {
    SchemaMigration r = migration("m");
    String m = "name=\"m\",namespace=\"apps\"";
    metrics.stepped(
        r,
        status("Backfilling", null),
        StepResult.Waiting.throttled(
            MigrationPhase.Backfilling, Throttle.ReplicaLag, Duration.ofMillis(1500), "lag"));
    metrics.stepped(
        r,
        status("Backfilling", null),
        new StepResult.Waiting(
            MigrationPhase.Backfilling, WaitReason.RetryingAfterError, Duration.ZERO, "x"));
    metrics.retrying(r, status("Backfilling", null), OperatorReason.DatabaseUnavailable);
    metrics.stalled(r, status("Backfilling", null), OperatorReason.SecretNotFound);
    metrics.stalled(r, status("Backfilling", null), OperatorReason.SecretNotFound);
    metrics.stepped(
        r,
        status("Completed", "2026-11-25T10:00:00Z"),
        new StepResult.Done(MigrationPhase.Completed, "done"));

    assertThat(
            value(
                "inflight_migration_throttled_seconds_total{"
                    + m
                    + ",reason=\"ReplicaLag\",table=\"public.users\"}"))
        .isEqualTo(1.5);
    assertThat(
            value(
                "inflight_migration_throttled{"
                    + m
                    + ",reason=\"ReplicaLag\",table=\"public.users\"}"))
        .as("the last step was not throttled")
        .isZero();
    assertThat(
            value(
                "inflight_migration_retries_total{"
                    + m
                    + ",reason=\"TransientError\",table=\"public.users\"}"))
        .isEqualTo(1);
    assertThat(
            value(
                "inflight_migration_retries_total{"
                    + m
                    + ",reason=\"DatabaseUnavailable\",table=\"public.users\"}"))
        .isEqualTo(1);
    assertThat(
            value(
                "inflight_migration_errors_total{"
                    + m
                    + ",reason=\"SecretNotFound\",table=\"public.users\"}"))
        .isEqualTo(2);
    String tags = "{" + m + ",table=\"public.users\"}";
    assertThat(value("inflight_migration_progress_ratio" + tags)).isEqualTo(0.5);
    assertThat(value("inflight_migration_eta_seconds" + tags)).isEqualTo(5);
    assertThat(value("inflight_migration_writes_blocked_seconds" + tags)).isEqualTo(1.5);
    assertThat(value("inflight_migration_cutover_attempts_total" + tags)).isEqualTo(2);
    assertThat(value("inflight_migration_last_progress_timestamp_seconds" + tags)).isEqualTo(1000);
    assertThat(value("inflight_migration_rollback_window_expiry_timestamp_seconds" + tags))
        .isEqualTo(Instant.parse("2026-11-25T10:00:00Z").getEpochSecond());

    SchemaMigration paused = migration("paused");
    SchemaMigration lagging = migration("lagging");
    for (SchemaMigration r2 : List.of(paused, lagging)) {
      metrics.stepped(
          r2,
          status("Backfilling", null),
          StepResult.Waiting.throttled(
              MigrationPhase.Backfilling, Throttle.ReplicaLag, Duration.ofSeconds(1), "lag"));
    }
    now.set(Instant.ofEpochSecond(2000));
    metrics.stepped(
        paused,
        status("Backfilling", null),
        new StepResult.Waiting(MigrationPhase.Backfilling, WaitReason.Paused, Duration.ZERO, "p"));
    metrics.stepped(
        lagging,
        status("Backfilling", null),
        StepResult.Waiting.throttled(
            MigrationPhase.Backfilling, Throttle.ReplicaLag, Duration.ofSeconds(1), "lag"));
    assertThat(
            value(
                "inflight_migration_last_progress_timestamp_seconds{name=\"paused\","
                    + "namespace=\"apps\",table=\"public.users\"}"))
        .as("a paused migration is not stuck")
        .isEqualTo(2000);
    assertThat(
            value(
                "inflight_migration_last_progress_timestamp_seconds{name=\"lagging\","
                    + "namespace=\"apps\",table=\"public.users\"}"))
        .as("waiting for a replica is not progress")
        .isEqualTo(1000);

    metrics.forget("apps", "m");
    assertThat(registry.scrape()).doesNotContain("name=\"m\"");
  }
}
