package dev.inflight.lab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.workload.EmbeddedBinaries;
import dev.inflight.workload.PgCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cluster of our own survives fast and immediate restarts with its committed data. */
class PgClusterTest {
  @Test
  void committedRowsSurviveFastAndImmediateRestarts(@TempDir Path dir) throws Exception {
    try (PgCluster pg = PgCluster.create(EmbeddedBinaries.bin(), dir, Map.of("fsync", "off"))) {
      pg.admin("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
      pg.restart(PgCluster.Shutdown.IMMEDIATE);
      pg.admin("INSERT INTO t VALUES (2)");
      pg.restart(PgCluster.Shutdown.FAST);
      try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"));
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(2);
      }
      assertThat(pg.version()).startsWith("17");
    }
  }
}
