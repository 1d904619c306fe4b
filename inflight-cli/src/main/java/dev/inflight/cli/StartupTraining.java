package dev.inflight.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.SpecException;
import dev.inflight.api.SpecReader;
import dev.inflight.engine.Json;
import dev.inflight.engine.change.ChangeOps;
import dev.inflight.workload.EmbeddedBinaries;
import dev.inflight.workload.PgCluster;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The run the class-data sharing archive is made from at package time ({@code java
 * -XX:ArchiveClassesAtExit=inflight.jsa -cp inflight.jar dev.inflight.cli.StartupTraining}): it
 * loads what a command line {@code apply} loads before its first statement, without a database, so
 * that the archive holds those classes already parsed and verified. Most of a command's start is
 * spent loading and verifying the classes of picocli, Jackson, SnakeYAML, logback, HikariCP, the
 * PostgreSQL driver and the engine; with the archive the JVM maps them instead.
 *
 * <p>Nothing here can fail the build: the archive is an optional speed-up, and a class that cannot
 * be loaded here is simply not archived.
 */
public final class StartupTraining {
  /** What an apply loads beyond what the steps below load: the engine's and the driver's code. */
  private static final List<String> PACKAGES =
      List.of(
          "dev/inflight/api/",
          "dev/inflight/engine/",
          "dev/inflight/cli/",
          "org/postgresql/",
          "com/zaxxer/hikari/");

  /** The driver refuses at once: nothing listens on port 1 of the loopback address. */
  private static final String NO_SERVER = "jdbc:postgresql://127.0.0.1:1/inflight?connectTimeout=1";

  private StartupTraining() {}

  public static void main(String[] args) throws Exception {
    String[] apply = {"apply", "-f", "migration.yaml", "--jdbc-url", NO_SERVER, "--no-progress"};
    Main.commandLine(apply).parseArgs(apply);
    ObjectMapper json = Json.mapper();
    for (String example :
        List.of("users-add-phone.yaml", "users-flag-to-boolean.yaml", "users-id-to-bigint.yaml")) {
      MigrationSpec spec = readExample(example);
      if (spec != null) {
        ChangeOps.of(spec.changes(), new ArrayList<>());
        json.readValue(json.writeValueAsString(spec), MigrationSpec.class);
      }
    }
    try (HikariDataSource pool = ConnectionOptions.pool(NO_SERVER, null, null, 1)) {
      DriverManager.getConnection(NO_SERVER).close();
    } catch (SQLException expected) {
      // The connection attempt is what loads the driver's session classes.
    }
    loadPackages();
    applyOnEmbeddedServer();
  }

  /**
   * Then, when the embedded server can start here, a real {@code apply} of the demo's migration on
   * a small table: the archive then holds the planner's, the copy's and the swap's classes and
   * lambdas as well. Its output is dropped; any failure only leaves the archive smaller.
   */
  private static void applyOnEmbeddedServer() {
    PrintStream out = System.out;
    PrintStream err = System.err;
    try (PgCluster server =
        PgCluster.create(
            EmbeddedBinaries.onClassPath().bin(),
            Path.of(System.getProperty("java.io.tmpdir")),
            Map.of())) {
      String url = server.jdbcUrl("postgres");
      try (Connection conn = DriverManager.getConnection(url);
          Statement st = conn.createStatement()) {
        st.execute(
            "CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL, status text NOT NULL"
                + " DEFAULT 'active', last_login timestamptz, flag integer NOT NULL DEFAULT 0)");
        st.execute(
            "INSERT INTO users (name, flag) SELECT 'u' || g, g % 2 FROM generate_series(1, 1000) g");
      }
      Path file = Files.createTempFile("inflight-training", ".yaml");
      try (InputStream in =
          StartupTraining.class.getResourceAsStream("/examples/users-add-phone.yaml")) {
        if (in == null) {
          return;
        }
        Files.write(file, in.readAllBytes());
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        System.setOut(nowhere);
        System.setErr(nowhere);
        Main.run("apply", "-f", file.toString(), "--jdbc-url", url, "--no-progress");
        Main.run("status", "-f", file.toString(), "--jdbc-url", url, "--output", "json");
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException | SQLException | RuntimeException | LinkageError e) {
      // No embedded server here (no binaries for this platform, no right to start one).
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  private static MigrationSpec readExample(String name) throws IOException {
    try (InputStream in = StartupTraining.class.getResourceAsStream("/examples/" + name)) {
      if (in == null) {
        return null;
      }
      MigrationDocument doc =
          new SpecReader().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
      return doc.spec();
    } catch (SpecException e) {
      return null;
    }
  }

  /** Loads, without initialising, every class of {@link #PACKAGES} in this jar. */
  private static void loadPackages() throws IOException, URISyntaxException {
    Path jar =
        Path.of(StartupTraining.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    if (!jar.toString().endsWith(".jar")) {
      return;
    }
    ClassLoader loader = StartupTraining.class.getClassLoader();
    try (JarFile file = new JarFile(jar.toFile())) {
      for (JarEntry entry : file.stream().toList()) {
        String name = entry.getName();
        if (name.endsWith(".class")
            && !name.contains("-")
            && PACKAGES.stream().anyMatch(name::startsWith)) {
          try {
            Class.forName(
                name.substring(0, name.length() - ".class".length()).replace('/', '.'),
                false,
                loader);
          } catch (LinkageError | ClassNotFoundException e) {
            // Needs a library the command line does not ship (an optional metrics or OSGi
            // integration); it is never loaded at run time either.
          }
        }
      }
    }
  }
}
