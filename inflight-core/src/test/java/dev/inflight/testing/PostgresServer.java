package dev.inflight.testing;

import dev.inflight.workload.EmbeddedBinaries;
import dev.inflight.workload.PgCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One PostgreSQL server per major version per test run, started on first use. By default a {@link
 * PgCluster} from the embedded binaries from Maven Central (no Docker); with {@code
 * INFLIGHT_TEST_POSTGRES=testcontainers} a container per version instead.
 */
public final class PostgresServer {
  private static final Map<Integer, PostgresServer> SERVERS = new ConcurrentHashMap<>();
  private static final AtomicInteger DATABASES = new AtomicInteger();

  /** Durability off (a test server never outlives its run) and room for the pools of many tests. */
  private static final Map<String, String> SETTINGS =
      Map.of(
          "fsync", "off",
          "synchronous_commit", "off",
          "full_page_writes", "off",
          "max_connections", "300",
          "max_prepared_transactions", "10",
          "shared_buffers", "256MB");

  private final int major;
  private final String adminUrlPrefix;
  private final String user;
  private final String password;

  private PostgresServer(int major, String adminUrlPrefix, String user, String password) {
    this.major = major;
    this.adminUrlPrefix = adminUrlPrefix;
    this.user = user;
    this.password = password;
  }

  /** The major version the suite runs on, from {@code -Dinflight.test.pgMajor} (default 17). */
  public static int defaultMajor() {
    return Integer.parseInt(System.getProperty("inflight.test.pgMajor", "17"));
  }

  public static PostgresServer get(int major) {
    return SERVERS.computeIfAbsent(major, PostgresServer::start);
  }

  private static PostgresServer start(int major) {
    try {
      if ("testcontainers".equalsIgnoreCase(System.getenv("INFLIGHT_TEST_POSTGRES"))) {
        return Containers.start(major);
      }
      PgCluster cluster =
          PgCluster.create(
              binaries(major).bin(), Path.of(System.getProperty("java.io.tmpdir")), SETTINGS);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      cluster.close();
                    } catch (IOException ignored) {
                      // Exiting anyway.
                    }
                  }));
      String url = cluster.jdbcUrl("postgres");
      return new PostgresServer(
          major, url.substring(0, url.lastIndexOf('/') + 1), "postgres", "postgres");
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot start PostgreSQL " + major + ": " + e.getMessage(), e);
    }
  }

  /**
   * The class path's binaries for 17; for 15, the binaries jar the build copies beside the tests
   * ({@code -Dinflight.test.pg15Binaries}).
   */
  private static EmbeddedBinaries binaries(int major) throws IOException {
    return switch (major) {
      case 17 -> EmbeddedBinaries.onClassPath();
      case 15 ->
          EmbeddedBinaries.inJar(
              Path.of(
                  System.getProperty(
                      "inflight.test.pg15Binaries", "target/pg-binaries/pg15-binaries.jar")));
      default ->
          throw new IllegalArgumentException(
              "embedded PostgreSQL " + major + " is not configured; use 15 or 17");
    };
  }

  static PostgresServer of(int major, String adminUrlPrefix, String user, String password) {
    return new PostgresServer(major, adminUrlPrefix, user, password);
  }

  public int major() {
    return major;
  }

  /** Creates an empty database and returns its JDBC URL (with credentials). */
  public String createDatabase(String hint) throws SQLException {
    String name =
        ("t" + DATABASES.incrementAndGet() + "_" + hint.replaceAll("[^a-zA-Z0-9]", "_"))
            .toLowerCase();
    if (name.length() > 60) {
      name = name.substring(0, 60);
    }
    try (Connection c = DriverManager.getConnection(adminUrlPrefix + "postgres", user, password);
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    }
    return adminUrlPrefix + name + "?user=" + user + "&password=" + password;
  }
}
