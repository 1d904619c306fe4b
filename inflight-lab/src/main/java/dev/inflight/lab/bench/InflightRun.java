package dev.inflight.lab.bench;

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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
      Map<String, Long> syncingMillis,
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
    SyncingWatch watch = new SyncingWatch(jdbcUrl, name);
    watch.start();
    if (!p.waitFor(6, TimeUnit.HOURS)) {
      p.destroyForcibly();
      throw new IOException("inflight apply did not finish in 6 hours");
    }
    long end = System.nanoTime();
    watch.interrupt();
    watch.join();
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
        watch.parts(),
        Files.readString(output));
  }

  /**
   * Splits Syncing into its parts by watching the ledger's counters every 20 ms: building the
   * secondary indexes, ANALYZE, verification, and the catch-up before cut-over.
   */
  private static final class SyncingWatch extends Thread {
    private final String url;
    private final String name;
    private long syncing;
    private long indexed;
    private long analyzed;
    private long verified;
    private long cuttingOver;

    SyncingWatch(String url, String name) {
      super("syncing-watch");
      setDaemon(true);
      this.url = url;
      this.name = name;
    }

    @Override
    public void run() {
      try (Connection c = DriverManager.getConnection(url);
          PreparedStatement ps =
              c.prepareStatement(
                  "SELECT phase, analyzed, verify_done FROM inflight.migrations"
                      + " WHERE name = ? ORDER BY id DESC LIMIT 1")) {
        ps.setString(1, name);
        while (!isInterrupted()) {
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              see(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3));
            }
          } catch (SQLException e) {
            // The ledger does not exist yet.
          }
          Thread.sleep(20);
        }
      } catch (SQLException | InterruptedException e) {
        // Done.
      }
    }

    private void see(String phase, boolean isAnalyzed, boolean isVerified) {
      long now = System.nanoTime();
      boolean inSync = phase.equals(MigrationPhase.Syncing.name());
      if (inSync && syncing == 0) {
        syncing = now;
      }
      if (inSync && isAnalyzed && indexed == 0) {
        // ANALYZE is one short step after the last index; its end marks both.
        indexed = now;
        analyzed = now;
      }
      if (inSync && isVerified && verified == 0) {
        verified = now;
      }
      if (!inSync && syncing != 0 && cuttingOver == 0) {
        // The last steps of Syncing can pass between two looks.
        cuttingOver = now;
        analyzed = analyzed == 0 ? now : analyzed;
        indexed = indexed == 0 ? now : indexed;
        verified = verified == 0 ? now : verified;
      }
    }

    /** Each part's duration in milliseconds; empty when Syncing was too short to watch. */
    Map<String, Long> parts() {
      Map<String, Long> out = new LinkedHashMap<>();
      if (syncing == 0 || analyzed == 0 || verified == 0 || cuttingOver == 0) {
        return out;
      }
      out.put("secondary indexes and ANALYZE", (indexed - syncing) / 1_000_000);
      out.put("verification", (verified - analyzed) / 1_000_000);
      out.put("catch-up before cut-over", (cuttingOver - verified) / 1_000_000);
      return out;
    }
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
