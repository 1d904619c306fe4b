package dev.inflight.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.inflight.workload.OracleWorkload.Row;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The oracle is exact: after a run, and after a run across an immediate restart (statements in
 * doubt, read back), the table holds exactly the rows the workload's model says it must.
 */
class OracleWorkloadTest {
  private static final int ROWS = 2_000;

  @TempDir static Path dir;
  private static PgCluster cluster;

  @BeforeAll
  static void startServer() throws Exception {
    cluster =
        PgCluster.create(
            EmbeddedBinaries.onClassPath().bin(),
            dir,
            Map.of("fsync", "off", "synchronous_commit", "on"));
  }

  @AfterAll
  static void stopServer() throws Exception {
    cluster.close();
  }

  @Test
  void theTableMatchesTheModelAfterARun() throws Exception {
    String url = database("oracle_run");
    try (OracleWorkload app =
        new OracleWorkload(pool(url), "public.items", 3, initial(), 7, Duration.ofMillis(1))) {
      app.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> app.statements() > 1_500);
      app.pause();
      assertThat(rows(url)).isEqualTo(expected(app));
      app.resume();
      long mark = app.statements();
      await().atMost(Duration.ofSeconds(60)).until(() -> app.statements() > mark + 500);
      app.pause();
      assertThat(rows(url)).isEqualTo(expected(app));
      assertThat(app.failures().isEmpty()).as(app.failures().toString()).isTrue();
      assertThat(app.expected())
          .as("the model moved on from the initial rows")
          .isNotEqualTo(byKey(initial()));
    }
  }

  @Test
  void statementsInDoubtAcrossAnImmediateRestartAreReadBack() throws Exception {
    String url = database("oracle_restart");
    try (OracleWorkload app =
        new OracleWorkload(pool(url), "items", 4, initial(), 11, Duration.ofMillis(1))) {
      app.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> app.statements() > 500);
      cluster.restart(PgCluster.Shutdown.IMMEDIATE);
      long mark = app.statements();
      await().atMost(Duration.ofSeconds(120)).until(() -> app.statements() > mark + 500);
      app.pause();
      assertThat(rows(url)).isEqualTo(expected(app));
      assertThat(app.unresolved()).isZero();
      assertThat(app.failures().bySqlState()).as("connections lost in the restart").isNotEmpty();
    }
  }

  @Test
  void onlyALostConnectionLeavesAStatementInDoubt() {
    assertThat(OracleWorkload.inDoubt(new SQLException("i/o", (String) null))).isTrue();
    assertThat(OracleWorkload.inDoubt(new SQLException("gone", "08006"))).isTrue();
    assertThat(OracleWorkload.inDoubt(new SQLException("shutdown", "57P01"))).isTrue();
    assertThat(OracleWorkload.inDoubt(new SQLException("disk full", "53100"))).isFalse();
    assertThat(OracleWorkload.inDoubt(new SQLException("cancelled", "57014"))).isFalse();
  }

  private static String database(String name) throws SQLException {
    cluster.admin("CREATE DATABASE " + name);
    String url = cluster.jdbcUrl(name);
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL, balance integer NOT NULL,"
              + " flag integer NOT NULL DEFAULT 0, note text)");
      st.execute(
          "INSERT INTO items SELECT g, 'o' || (g % 97), g % 1000, g % 2, 'n' || g"
              + " FROM generate_series(1, "
              + ROWS
              + ") g");
    }
    return url;
  }

  private static List<Row> initial() {
    List<Row> out = new ArrayList<>();
    for (int g = 1; g <= ROWS; g++) {
      out.add(new Row(g, "o" + (g % 97), g % 1000, g % 2, "n" + g));
    }
    return out;
  }

  private static Map<Long, Row> byKey(List<Row> rows) {
    Map<Long, Row> out = new TreeMap<>();
    rows.forEach(r -> out.put(r.id(), r));
    return out;
  }

  private static PGSimpleDataSource pool(String url) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(url);
    ds.setConnectTimeout(3);
    return ds;
  }

  private static List<String> expected(OracleWorkload app) {
    return app.expected().values().stream()
        .map(r -> r.id() + "|" + r.owner() + "|" + r.balance() + "|" + r.flag() + "|" + r.note())
        .toList();
  }

  private static List<String> rows(String url) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT id, owner, balance, flag, note FROM items ORDER BY id")) {
      while (rs.next()) {
        out.add(
            rs.getLong(1)
                + "|"
                + rs.getString(2)
                + "|"
                + rs.getInt(3)
                + "|"
                + rs.getInt(4)
                + "|"
                + rs.getString(5));
      }
    }
    return out;
  }
}
