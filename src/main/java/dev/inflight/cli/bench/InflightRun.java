package dev.inflight.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.inflight.engine.Engine;
import dev.inflight.engine.EngineSettings;
import dev.inflight.engine.Json;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.ledger.MigrationRecord;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Runs {@code inflight apply} as a user would, in a JVM of its own (so its heap is measured alone),
 * and reads back from the ledger what it did and when each phase began and ended.
 */
final class InflightRun {
  /** What one apply did; phase windows in {@link System#nanoTime()} of this process. */
  record Outcome(
      int exitCode,
      long startNanos,
      long endNanos,
      MigrationRecord record,
      Map<MigrationPhase, long[]> phases,
      long peakHeapBytes,
      long maxLiveHeapBytes,
      String output) {

    long wallMillis() {
      return (endNanos - startNanos) / 1_000_000;
    }

    /** The ledger's time from the plan being recorded to the swap's commit. */
    long migrationMillis() {
      return phases.values().stream().mapToLong(w -> w[1] - w[0]).sum() / 1_000_000;
    }

    long[] window(MigrationPhase p) {
      return phases.get(p);
    }

    /** From the process start to the migration's ledger row: JVM start, connecting, planning. */
    long startupMillis() {
      return phases.values().stream().mapToLong(w -> w[0]).min().orElse(startNanos) / 1_000_000
          - startNanos / 1_000_000;
    }

    /** From the swap's commit to the process's exit. */
    long exitMillis() {
      return endNanos / 1_000_000
          - phases.values().stream().mapToLong(w -> w[1]).max().orElse(endNanos) / 1_000_000;
    }
  }

  private InflightRun() {}

  /** Applies the migration {@code name} that {@code yaml} describes; files go to {@code work}. */
  static Outcome apply(String jdbcUrl, String yaml, String name, Path work)
      throws IOException, InterruptedException, SQLException {
    Path file = work.resolve(name + ".yaml");
    Path heap = work.resolve(name + "-heap.json");
    Path output = work.resolve(name + "-apply.log");
    Files.writeString(file, yaml);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    long refNanos = System.nanoTime();
    Instant refWall = Instant.now();
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                HeapProbe.class.getName(),
                heap.toString(),
                "apply",
                "-f",
                file.toString(),
                "--jdbc-url",
                jdbcUrl,
                "--no-progress")
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    long start = System.nanoTime();
    if (!p.waitFor(6, TimeUnit.HOURS)) {
      p.destroyForcibly();
      throw new IOException("inflight apply did not finish in 6 hours");
    }
    long end = System.nanoTime();
    JsonNode h = Json.mapper().readTree(heap.toFile());
    MigrationRecord m = record(jdbcUrl, name);
    return new Outcome(
        p.exitValue(),
        start,
        end,
        m,
        phases(m, refNanos, refWall),
        h.path("peakHeapUsedBytes").asLong(),
        h.path("maxLiveHeapBytes").asLong(),
        Files.readString(output));
  }

  private static MigrationRecord record(String jdbcUrl, String name) throws SQLException {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(jdbcUrl);
    cfg.setMaximumPoolSize(1);
    try (HikariDataSource ds = new HikariDataSource(cfg)) {
      Engine engine =
          new Engine(
              ds, Clock.systemUTC(), EngineSettings.defaults(), RandomGenerator.getDefault());
      return engine
          .find(name)
          .orElseThrow(() -> new SQLException("no migration " + name + " in the ledger"));
    }
  }

  /**
   * Each phase's window, from the ledger: phases are contiguous from the moment the migration was
   * recorded, each as long as its recorded duration. The engine's clock is this machine's.
   */
  private static Map<MigrationPhase, long[]> phases(
      MigrationRecord m, long refNanos, Instant refWall) {
    Map<MigrationPhase, long[]> out = new LinkedHashMap<>();
    long at = refNanos + Duration.between(refWall, m.createdAt()).toNanos();
    for (MigrationPhase p : MigrationPhase.values()) {
      if (p == MigrationPhase.Completed) {
        break;
      }
      Long ms = m.phaseMillis().get(p.name());
      if (ms != null) {
        out.put(p, new long[] {at, at + ms * 1_000_000});
        at += ms * 1_000_000;
      }
    }
    return out;
  }
}
