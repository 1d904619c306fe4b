package dev.inflight.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.inflight.workload.StatementLog.Kind;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Writers and readers at a set rate: every statement is logged with its kind and outcome, failures
 * are counted by SQLSTATE, and a paused workload issues nothing.
 */
class PacedWorkloadTest {
  @Test
  void statementsAreLoggedAndFailuresCountedBySqlState(@TempDir Path dir) throws Exception {
    try (PgCluster cluster =
        PgCluster.create(EmbeddedBinaries.onClassPath().bin(), dir, Map.of("fsync", "off"))) {
      cluster.admin("CREATE TABLE counters (id int PRIMARY KEY, n bigint NOT NULL)");
      cluster.admin("INSERT INTO counters VALUES (1, 0)");
      PGSimpleDataSource pool = new PGSimpleDataSource();
      pool.setURL(cluster.jdbcUrl("postgres"));
      Mix writes =
          Mix.of(Kind.UPDATE, 3, (c, random) -> execute(c, "UPDATE counters SET n = n + 1"))
              .and(Kind.INSERT, 1, (c, random) -> execute(c, "INSERT INTO missing VALUES (1)"));
      Mix reads = Mix.of(Kind.READ, 1, (c, random) -> execute(c, "SELECT n FROM counters"));
      try (PacedWorkload app =
          new PacedWorkload(
              List.of(
                  new Role("writer", 2, 50, pool, writes),
                  new Role("reader", 1, 50, pool, reads)))) {
        app.start();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> app.log().count(StatementLog.succeeded(Kind.READ)) >= 20);
        app.pause();
        long logged = app.log().all().size();
        Thread.sleep(200);
        assertThat(app.log().all()).as("nothing issued while paused").hasSize((int) logged);

        long updates = app.log().count(StatementLog.succeeded(Kind.UPDATE));
        assertThat(updates).isPositive();
        assertThat(scalarLong(pool, "SELECT n FROM counters")).isEqualTo(updates);
        long failedInserts = app.log().count(e -> e.kind() == Kind.INSERT && !e.ok());
        assertThat(failedInserts).isPositive();
        assertThat(app.log().count(StatementLog.succeeded(Kind.INSERT))).isZero();
        assertThat(app.failures().bySqlState()).containsExactly(Map.entry("42P01", failedInserts));
        assertThat(app.failures().total()).isEqualTo(failedInserts);

        app.resume();
        await().atMost(Duration.ofSeconds(30)).until(() -> app.log().all().size() > logged + 20);
      }
    }
  }

  @Test
  void aMixOrRoleThatCannotRunIsRefusedWithTheReason() {
    assertThatThrownBy(() -> new Mix(List.of())).hasMessageContaining("at least one statement");
    assertThatThrownBy(() -> Mix.of(Kind.READ, 0, (c, random) -> {}))
        .hasMessageContaining("weight");
    Mix mix = Mix.of(Kind.READ, 1, (c, random) -> {});
    assertThatThrownBy(() -> new Role("reader", 1, 0, new PGSimpleDataSource(), mix))
        .hasMessageContaining("reader: statements per second");
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.execute();
    }
  }

  private static long scalarLong(PGSimpleDataSource pool, String sql) throws Exception {
    try (Connection c = pool.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
