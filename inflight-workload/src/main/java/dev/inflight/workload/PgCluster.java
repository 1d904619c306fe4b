package dev.inflight.workload;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server this process owns: its own data directory, started and stopped with {@code
 * pg_ctl} from a directory of server binaries (a distribution's, such as Debian's {@code
 * /usr/lib/postgresql/15/bin}, or the embedded ones from {@link EmbeddedBinaries}). It can be
 * restarted with a chosen shutdown mode, which fault injection needs. The demo, the lab and the
 * test suite all start their servers this way.
 *
 * <p>The data directory is deleted on {@link #close}; one whose owner was killed first is deleted,
 * its server stopped, by the next cluster created under the same parent (see {@link
 * DataDirectory}).
 *
 * <p>PostgreSQL refuses to run as root. Started by root, every server command runs in a user
 * namespace of its own ({@code unshare -U}), where the process is not root and still owns the data
 * directory.
 */
public final class PgCluster implements AutoCloseable {
  /** How {@code pg_ctl stop} shuts the server down. */
  public enum Shutdown {
    /** Rolls back open transactions, disconnects clients, checkpoints: a clean restart. */
    FAST,
    /** Kills every server process at once, as a crash does; recovery replays the WAL on start. */
    IMMEDIATE
  }

  private static final long INITDB_SECONDS = 300;
  private static final long PG_CTL_SECONDS = 180;

  private final Path bin;
  private final DataDirectory directory;
  private final Path data;
  private final int port;

  private PgCluster(Path bin, DataDirectory directory, int port) {
    this.bin = bin;
    this.directory = directory;
    this.data = directory.path();
    this.port = port;
  }

  /**
   * Creates a cluster in a new directory under {@code parent} with {@code settings} written to its
   * configuration, and starts it on a free port on localhost.
   */
  public static PgCluster create(Path bin, Path parent, Map<String, String> settings)
      throws IOException {
    if (!Files.isExecutable(bin.resolve("initdb")) || !Files.isExecutable(bin.resolve("pg_ctl"))) {
      throw new IOException(bin + " has no initdb and pg_ctl: not a PostgreSQL bin directory");
    }
    DataDirectory.deleteAbandoned(parent);
    DataDirectory directory = DataDirectory.create(parent);
    try {
      int port = initialize(bin, directory.path(), settings);
      PgCluster cluster = new PgCluster(bin, directory, port);
      cluster.start();
      return cluster;
    } catch (IOException | RuntimeException e) {
      directory.close();
      throw e;
    }
  }

  /**
   * A streaming standby of this server, named {@code name} (its {@code cluster_name}, which its WAL
   * receiver reports as {@code application_name}): a base backup taken with {@code pg_basebackup
   * -R} into a new directory under {@code parent}, started on a free port. This server's settings
   * must allow it, as initdb's do: {@code wal_level} replica or logical, WAL senders free, and
   * replication connections from localhost trusted.
   */
  public PgCluster standby(Path parent, String name) throws IOException {
    if (!Files.isExecutable(bin.resolve("pg_basebackup"))) {
      throw new IOException(bin + " has no pg_basebackup");
    }
    DataDirectory.deleteAbandoned(parent);
    DataDirectory standby = DataDirectory.create(parent);
    try {
      run(
          List.of(
              bin.resolve("pg_basebackup").toString(),
              "-D",
              standby.path().toString(),
              "-h",
              "localhost",
              "-p",
              Integer.toString(port),
              "-U",
              "postgres",
              "-X",
              "stream",
              "-c",
              "fast",
              "-R",
              "--no-sync"),
          INITDB_SECONDS);
      int standbyPort = freePort();
      Files.writeString(
          standby.path().resolve("postgresql.conf"),
          "\n# standby, written by inflight\nport = "
              + standbyPort
              + "\ncluster_name = '"
              + name.replace("'", "")
              + "'\nhot_standby = on\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
      PgCluster cluster = new PgCluster(bin, standby, standbyPort);
      cluster.start();
      return cluster;
    } catch (IOException | RuntimeException e) {
      standby.close();
      throw e;
    }
  }

  /** Runs {@code initdb} and writes the configuration; returns the port the server will use. */
  private static int initialize(Path bin, Path data, Map<String, String> settings)
      throws IOException {
    run(
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            data.toString(),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF-8",
            "--locale=C",
            "--no-sync"),
        INITDB_SECONDS);
    int port = freePort();
    StringBuilder conf = new StringBuilder("\n# written by inflight\n");
    conf.append("port = ").append(port).append('\n');
    conf.append("listen_addresses = 'localhost'\n");
    // No Unix socket: the distribution's socket directory is not writable from the namespace.
    conf.append("unix_socket_directories = ''\n");
    settings.forEach((k, v) -> conf.append(k).append(" = '").append(v).append("'\n"));
    Files.writeString(
        data.resolve("postgresql.conf"),
        conf.toString(),
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    return port;
  }

  /** Starts the server and waits until it accepts connections. */
  public void start() throws IOException {
    run(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            data.toString(),
            "-l",
            data.resolve("server.log").toString(),
            "-w",
            "-t",
            "120",
            "start"),
        PG_CTL_SECONDS);
  }

  /** Stops the server with the given mode and waits until it is down. */
  public void stop(Shutdown mode) throws IOException {
    run(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            data.toString(),
            "-m",
            mode.name().toLowerCase(Locale.ROOT),
            "-w",
            "-t",
            "120",
            "stop"),
        PG_CTL_SECONDS);
  }

  /** Stops the server with {@code mode} and starts it again. */
  public void restart(Shutdown mode) throws IOException {
    stop(mode);
    start();
  }

  /** A JDBC URL for {@code database} as the superuser {@code postgres}. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://localhost:" + port + "/" + database + "?user=postgres";
  }

  public int port() {
    return port;
  }

  public Path bin() {
    return bin;
  }

  public Path dataDirectory() {
    return data;
  }

  /** {@code SHOW server_version}. */
  public String version() throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW server_version")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Runs SQL in the maintenance database (CREATE DATABASE and the like). */
  public void admin(String... sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"));
        Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  /** A server binary of this installation, or of its package's extensions (pg_repack). */
  public Path tool(String name) {
    return bin.resolve(name);
  }

  @Override
  public void close() throws IOException {
    try {
      stop(Shutdown.FAST);
    } finally {
      directory.close();
    }
  }

  /** Runs a server command, in a user namespace of its own when this process is root. */
  private static void run(List<String> command, long timeoutSeconds) throws IOException {
    List<String> full = new ArrayList<>();
    if (isRoot()) {
      full.add("unshare");
      full.add("-U");
    }
    full.addAll(command);
    Process p =
        new ProcessBuilder(full)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    String output;
    try {
      output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish: " + output);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + command.get(0), e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          String.join(" ", command) + " exited with " + p.exitValue() + ": " + output.trim());
    }
  }

  /** True when this process runs as root (the owner of {@code /proc/self} is its user). */
  static boolean isRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Deletes a directory and everything in it, as far as it can. */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException | UncheckedIOException e) {
      // Left for the operating system's temporary-file cleanup.
    }
  }
}
