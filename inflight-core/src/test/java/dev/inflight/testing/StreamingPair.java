package dev.inflight.testing;

import static org.awaitility.Awaitility.await;

import dev.inflight.workload.PgCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A primary and a streaming standby of Debian's PostgreSQL 15 ({@code apt-get install
 * postgresql-15}, which {@code .ci/run} installs): the embedded binaries ship no {@code
 * pg_basebackup}. The primary runs with {@code wal_level = logical}, so tests can create logical
 * slots on it too. Its standby is named {@link #STANDBY}.
 */
public final class StreamingPair implements AutoCloseable {
  /** The standby's {@code cluster_name}, which the primary shows as its application_name. */
  public static final String STANDBY = "replica-a";

  private static final Path DEBIAN = Path.of("/usr/lib/postgresql/15/bin");

  private static final Map<String, String> SETTINGS =
      Map.of(
          "fsync", "off",
          "synchronous_commit", "off",
          "full_page_writes", "off",
          "wal_level", "logical",
          "max_wal_senders", "10",
          "max_replication_slots", "10",
          "max_connections", "100");

  private final PgCluster primary;
  private final PgCluster standby;

  private StreamingPair(PgCluster primary, PgCluster standby) {
    this.primary = primary;
    this.standby = standby;
  }

  /** The bin directory with initdb, pg_ctl and pg_basebackup, if installed. */
  public static Optional<Path> binaries() {
    Path bin = Path.of(System.getProperty("inflight.test.streamingBin", DEBIAN.toString()));
    return Files.isExecutable(bin.resolve("pg_basebackup"))
            && Files.isExecutable(bin.resolve("initdb"))
            && Files.isExecutable(bin.resolve("pg_ctl"))
        ? Optional.of(bin)
        : Optional.empty();
  }

  /** Starts both servers and waits until the standby streams. */
  public static StreamingPair start(Path bin) throws IOException {
    Path parent = Path.of(System.getProperty("java.io.tmpdir"));
    PgCluster primary = PgCluster.create(bin, parent, SETTINGS);
    try {
      PgCluster standby = primary.standby(parent, STANDBY);
      StreamingPair pair = new StreamingPair(primary, standby);
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () ->
                  pair.primaryScalar(
                          "SELECT count(*) FROM pg_stat_replication WHERE application_name = '"
                              + STANDBY
                              + "' AND state = 'streaming'")
                      == 1);
      return pair;
    } catch (IOException | RuntimeException e) {
      primary.close();
      throw e;
    }
  }

  /** Creates a database on the primary and returns its URL, as the superuser. */
  public String createDatabase(String name, String owner) throws SQLException {
    primary.admin("CREATE DATABASE " + name + (owner == null ? "" : " OWNER " + owner));
    return primary.jdbcUrl(name);
  }

  /** The primary's URL for {@code database} as {@code user} (every local login is trusted). */
  public String url(String database, String user) {
    return primary.jdbcUrl(database).replace("user=postgres", "user=" + user);
  }

  public void primaryAdmin(String... sql) throws SQLException {
    primary.admin(sql);
  }

  /** Runs SQL on the standby (pg_wal_replay_pause() and the like). */
  public void onStandby(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(standby.jdbcUrl("postgres"));
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  public long primaryScalar(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(primary.jdbcUrl("postgres"));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      standby.close();
    } finally {
      primary.close();
    }
  }
}
