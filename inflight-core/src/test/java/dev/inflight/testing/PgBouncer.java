package dev.inflight.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PgBouncer in front of a test server, as a platform team runs one for its applications: Debian's
 * {@code pgbouncer} package (which {@code .ci/run} installs), started on a free port with trust
 * authentication and the given pool mode. PgBouncer refuses to run as root; started by root, it
 * runs in a user namespace of its own ({@code unshare -U}), as the embedded servers do.
 */
public final class PgBouncer implements AutoCloseable {
  /** Where Debian installs it; else the first one on the PATH. */
  private static final Path DEBIAN = Path.of("/usr/sbin/pgbouncer");

  private static final int READY_ATTEMPTS = 200;

  private final Process process;
  private final Path directory;
  private final int port;

  private PgBouncer(Process process, Path directory, int port) {
    this.process = process;
    this.directory = directory;
    this.port = port;
  }

  /** The installed binary, if there is one. */
  public static Optional<Path> binary() {
    if (Files.isExecutable(DEBIAN)) {
      return Optional.of(DEBIAN);
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Stream.of(path.split(File.pathSeparator))
        .map(dir -> Path.of(dir, "pgbouncer"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /**
   * Starts a PgBouncer that pools every database of the server at {@code serverPort} on localhost
   * in {@code poolMode} ({@code session}, {@code transaction} or {@code statement}).
   */
  public static PgBouncer start(int serverPort, String poolMode) throws IOException {
    Path binary =
        binary()
            .orElseThrow(
                () -> new IOException("pgbouncer is not installed (apt-get install pgbouncer)"));
    Path dir = Files.createTempDirectory("pgbouncer-");
    int port = freePort();
    Files.writeString(dir.resolve("users.txt"), "\"postgres\" \"\"\n");
    Files.writeString(
        dir.resolve("pgbouncer.ini"),
        String.join(
            "\n",
            "[databases]",
            "* = host=127.0.0.1 port=" + serverPort,
            "[pgbouncer]",
            "listen_addr = 127.0.0.1",
            "listen_port = " + port,
            "unix_socket_dir =",
            "auth_type = trust",
            "auth_file = " + dir.resolve("users.txt"),
            "pool_mode = " + poolMode,
            "default_pool_size = 4",
            // pgjdbc sends it at start-up; PgBouncer refuses parameters it does not track.
            "ignore_startup_parameters = extra_float_digits",
            ""));
    List<String> command = new ArrayList<>();
    if (isRoot()) {
      command.add("unshare");
      command.add("-U");
    }
    command.add(binary.toString());
    command.add(dir.resolve("pgbouncer.ini").toString());
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("pgbouncer.log").toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    PgBouncer bouncer = new PgBouncer(process, dir, port);
    bouncer.awaitListening();
    return bouncer;
  }

  /** A JDBC URL for {@code database} through this PgBouncer, as the superuser. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
  }

  public int port() {
    return port;
  }

  private void awaitListening() throws IOException {
    for (int attempt = 0; attempt < READY_ATTEMPTS; attempt++) {
      if (!process.isAlive()) {
        throw new IOException("pgbouncer exited: " + log());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 100);
        return;
      } catch (IOException notYet) {
        try {
          process.waitFor(50, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while starting pgbouncer", e);
        }
      }
    }
    close();
    throw new IOException("pgbouncer did not listen on " + port + ": " + log());
  }

  private String log() throws IOException {
    Path log = directory.resolve("pgbouncer.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.list(directory)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(directory);
    } catch (IOException ignored) {
      // A temporary directory; what is left is harmless.
    }
  }

  private static boolean isRoot() {
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
}
