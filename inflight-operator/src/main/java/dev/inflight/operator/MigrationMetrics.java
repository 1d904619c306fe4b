package dev.inflight.operator;

import dev.inflight.api.MigrationStatus;
import dev.inflight.engine.MigrationPhase;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * Per-migration gauges beside JOSDK's reconcile metrics: rows copied, copy rate, log backlog,
 * phase, cut-over attempts and the longest time writes were blocked.
 */
final class MigrationMetrics {
  private final MeterRegistry registry;
  private final Map<String, AtomicReference<MigrationStatus>> latest = new ConcurrentHashMap<>();
  private final Map<String, List<Meter>> meters = new ConcurrentHashMap<>();

  MigrationMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(String namespace, String name, String table, MigrationStatus s) {
    String key = namespace + "/" + name;
    AtomicReference<MigrationStatus> ref =
        latest.computeIfAbsent(key, k -> new AtomicReference<>());
    ref.set(s);
    meters.computeIfAbsent(
        key, k -> register(ref, Tags.of("namespace", namespace, "name", name, "table", table)));
  }

  void forget(String namespace, String name) {
    String key = namespace + "/" + name;
    latest.remove(key);
    List<Meter> ms = meters.remove(key);
    if (ms != null) {
      ms.forEach(registry::remove);
    }
  }

  private List<Meter> register(AtomicReference<MigrationStatus> ref, Tags tags) {
    List<Meter> out = new ArrayList<>();
    out.add(
        gauge(
            "inflight_migration_rows_copied",
            "Rows copied to the new table",
            ref,
            tags,
            s -> s.progress() == null ? 0 : s.progress().rowsCopied()));
    out.add(
        gauge(
            "inflight_migration_rows_per_second",
            "Copy rate",
            ref,
            tags,
            s -> s.progress() == null ? 0 : s.progress().rowsPerSecond()));
    out.add(
        gauge(
            "inflight_migration_log_backlog",
            "Changed keys waiting to be replayed",
            ref,
            tags,
            s -> s.progress() == null ? 0 : s.progress().logBacklog()));
    out.add(
        gauge(
            "inflight_migration_cutover_attempts",
            "Cut-over attempts",
            ref,
            tags,
            s -> s.cutover() == null ? 0 : s.cutover().attempts()));
    out.add(
        gauge(
            "inflight_migration_writes_blocked_milliseconds",
            "Longest time writes waited on a swap",
            ref,
            tags,
            s -> s.cutover() == null ? 0 : s.cutover().writesBlockedMillis()));
    for (MigrationPhase p : MigrationPhase.values()) {
      out.add(
          gauge(
              "inflight_migration_phase",
              "1 for the migration's current phase",
              ref,
              tags.and("phase", p.name()),
              s -> p.name().equals(s.phase()) ? 1 : 0));
    }
    return out;
  }

  private Meter gauge(
      String name,
      String help,
      AtomicReference<MigrationStatus> ref,
      Tags tags,
      ToDoubleFunction<MigrationStatus> f) {
    return Gauge.builder(name, ref, r -> r.get() == null ? 0 : f.applyAsDouble(r.get()))
        .description(help)
        .tags(tags)
        .register(registry);
  }
}
