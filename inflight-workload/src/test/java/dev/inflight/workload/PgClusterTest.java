package dev.inflight.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cluster of our own starts, survives fast and immediate restarts, and leaves nothing behind. */
class PgClusterTest {
  @Test
  void committedRowsSurviveFastAndImmediateRestarts(@TempDir Path dir) throws Exception {
    Path data;
    String url;
    try (PgCluster pg =
        PgCluster.create(
            EmbeddedBinaries.onClassPath().bin(),
            dir,
            Map.of("fsync", "off", "max_connections", "30"))) {
      data = pg.dataDirectory();
      url = pg.jdbcUrl("postgres");
      assertThat(pg.version()).startsWith("17");
      assertThat(scalar(url, "SHOW max_connections")).isEqualTo("30");
      pg.admin("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
      pg.restart(PgCluster.Shutdown.IMMEDIATE);
      pg.admin("INSERT INTO t VALUES (2)");
      pg.restart(PgCluster.Shutdown.FAST);
      assertThat(scalar(url, "SELECT count(*) FROM t")).isEqualTo("2");
    }
    assertThat(data).doesNotExist();
    assertThat(Files.list(dir)).isEmpty();
    assertThatThrownBy(() -> scalar(url, "SELECT 1")).isInstanceOf(SQLException.class);
  }

  @Test
  void aDirectoryWithoutServerBinariesIsRefusedWithTheReason(@TempDir Path dir) {
    assertThatThrownBy(() -> PgCluster.create(dir, dir, Map.of()))
        .hasMessageContaining("not a PostgreSQL bin directory");
  }

  private static String scalar(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
