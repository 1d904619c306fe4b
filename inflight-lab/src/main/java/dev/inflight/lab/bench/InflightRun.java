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
import java.io.InputStream;
import java.net.URISyntaxException;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.random.RandomGenerator;

/**
 * Runs {@code inflight apply} as a user would, in a JVM of its own (so its heap is measured alone),
 * and reads back from the ledger what it did and when each phase began and ended. The command is
 * started with the launcher {@code package} puts beside {@code inflight.jar} (with its class-data
 * sharing archive) when there is one, so the JVM start measured is the one users get.
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

  /**
   * The launcher {@code inflight-cli/target/inflight}: named by the system property {@code
   * inflight.launcher}, else found beside the lab's jar or from the working directory.
   */
  static Optional<Path> launcher() {
    List<Path> candidates = new ArrayList<>();
    String named = System.getProperty("inflight.launcher");
    if (named != null) {
      candidates.add(Path.of(named));
    }
    try {
      Path code =
          Path.of(InflightRun.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // inflight-lab/target/inflight-lab.jar or inflight-lab/target/classes
      candidates.add(
          code.resolveSibling(Path.of("..", "..", "inflight-cli", "target", "inflight")));
    } catch (URISyntaxException | RuntimeException e) {
      // No code source to start from; the working directory may do.
    }
    candidates.add(Path.of("inflight-cli", "target", "inflight"));
    candidates.add(Path.of("..", "inflight-cli", "target", "inflight"));
    return candidates.stream()
        .map(Path::normalize)
        .filter(c -> Files.isRegularFile(c) && Files.isExecutable(c))
        .findFirst();
  }

  /**
   * The launcher with the heap probe as a Java agent, else (no launcher built) a JVM on this
   * process's class path that runs the command line under {@link HeapProbe#main}.
   */
  private static ProcessBuilder start(Path heap, List<String> args, Path work) throws IOException {
    Optional<Path> launcher = launcher();
    if (launcher.isPresent()) {
      List<String> command = new ArrayList<>();
      command.add(launcher.get().toString());
      command.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
      pb.environment().put("INFLIGHT_JAVA_OPTS", "-javaagent:" + probeAgent(work) + "=" + heap);
      return pb;
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(HeapProbe.class.getName());
    command.add(heap.toString());
    command.addAll(args);
    return new ProcessBuilder(command);
  }

  /** How {@link #apply} starts the command line, for the report. */
  static String startDescription() {
    return launcher()
        .map(l -> l + " (java -jar inflight.jar, with its class-data sharing archive if present)")
        .orElse("java -cp <the lab's class path> (no launcher built; no class-data sharing)");
  }

  /** A jar of {@link HeapProbe} alone, whose manifest makes it a Java agent. */
  private static Path probeAgent(Path work) throws IOException {
    Path jar = work.resolve("heap-probe.jar");
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().putValue("Premain-Class", HeapProbe.class.getName());
    String entry = HeapProbe.class.getName().replace('.', '/') + ".class";
    try (InputStream in = HeapProbe.class.getClassLoader().getResourceAsStream(entry);
        JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
      if (in == null) {
        throw new IOException(entry + " is not on the class path");
      }
      out.putNextEntry(new JarEntry(entry));
      in.transferTo(out);
      out.closeEntry();
    }
    return jar;
  }

  /** Applies the migration {@code name} that {@code yaml} describes; files go to {@code work}. */
  static Outcome apply(String jdbcUrl, String yaml, String name, Path work)
      throws IOException, InterruptedException, SQLException {
    Path file = work.resolve(name + ".yaml");
    Path heap = work.resolve(name + "-heap.json");
    Path output = work.resolve(name + "-apply.log");
    Files.writeString(file, yaml);
    List<String> args =
        List.of("apply", "-f", file.toString(), "--jdbc-url", jdbcUrl, "--no-progress");
    ProcessBuilder started = start(heap, args, work);
    long refNanos = System.nanoTime();
    Instant refWall = Instant.now();
    Process p =
        started
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
