package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.inflight.api.MigrationDocument;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PgBouncer;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import dev.inflight.workload.EmbeddedBinaries;
import dev.inflight.workload.PgCluster;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Inflight's own connection must be a session on the primary. A transaction pool (a real PgBouncer
 * in transaction or statement mode) and a standby are refused at Planning, with the reason and what
 * to connect to instead, before any DDL; a direct connection and a session-mode PgBouncer are not.
 */
@ExtendWith(PostgresExtension.class)
class SessionCheckTest {
  private MigrationDocument doc;

  @BeforeEach
  void migration() {
    doc =
        Migrations.document(
            "items-memo", "public.items", "- addColumn: {name: memo, type: text}", null);
  }

  private static void items(TestDatabase db) {
    db.exec(
        "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL)",
        "INSERT INTO items SELECT g, 'o' || g FROM generate_series(1, 100) g");
  }

  private static int serverPort(TestDatabase db) {
    return URI.create(db.url().substring("jdbc:".length())).getPort();
  }

  private static String database(TestDatabase db) {
    return db.strings("SELECT current_database()").get(0);
  }

  private static void requireInstalled() {
    assumeTrue(
        PgBouncer.binary().isPresent(),
        "pgbouncer is not installed here (Debian: apt-get install pgbouncer; .ci/run installs it)");
  }

  @Test
  void transactionPooledPgBouncerIsRefusedBeforeAnyDdl(TestDatabase db) throws Exception {
    requireInstalled();
    items(db);
    try (PgBouncer bouncer = PgBouncer.start(serverPort(db), "transaction");
        HikariDataSource pooled = TestDatabase.pool(bouncer.jdbcUrl(database(db)), 4)) {
      Engine engine = Migrations.engine(pooled);
      assertThatThrownBy(() -> engine.submit("items-memo", doc.spec()))
          .isInstanceOf(PlanRejectedException.class)
          .hasMessageContaining("transaction-pooled")
          .hasMessageContaining("one server process")
          .hasMessageContaining("session-mode pool")
          .hasMessageContaining("pgbouncer-host")
          .hasMessageContaining("The application may keep using its pooler");
      assertThatThrownBy(() -> engine.plan(doc.spec()))
          .isInstanceOf(PlanRejectedException.class)
          .hasMessageContaining("transaction-pooled");
    }
    assertThat(db.count("SELECT count(*) FROM pg_namespace WHERE nspname = 'inflight'"))
        .as("nothing was created, not even the ledger")
        .isZero();
  }

  @Test
  void statementPooledPgBouncerIsRefused(TestDatabase db) throws Exception {
    requireInstalled();
    items(db);
    try (PgBouncer bouncer = PgBouncer.start(serverPort(db), "statement");
        HikariDataSource pooled = TestDatabase.pool(bouncer.jdbcUrl(database(db)), 4)) {
      assertThatThrownBy(() -> Migrations.engine(pooled).plan(doc.spec()))
          .isInstanceOf(PlanRejectedException.class)
          .hasMessageContaining("transaction-pooled");
    }
  }

  @Test
  void sessionModePgBouncerIsASessionAndRunsTheMigration(TestDatabase db) throws Exception {
    requireInstalled();
    items(db);
    try (PgBouncer bouncer = PgBouncer.start(serverPort(db), "session");
        HikariDataSource pooled = TestDatabase.pool(bouncer.jdbcUrl(database(db)), 4)) {
      Engine engine = Migrations.engine(pooled);
      long id = engine.submit("items-memo", doc.spec()).id();
      StepResult end = Migrations.run(engine, id, doc.spec());
      assertThat(end).isInstanceOf(StepResult.Done.class);
    }
    assertThat(db.count("SELECT count(*) FROM items")).isEqualTo(100);
    assertThat(
            db.strings(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'items'"))
        .contains("memo");
  }

  @Test
  void aDirectConnectionIsASession(TestDatabase db) throws Exception {
    items(db);
    assertThat(Migrations.engine(db.dataSource()).plan(doc.spec()).hash()).startsWith("sha256:");
  }

  @Test
  void aStandbyIsRefusedWithThePrimaryToUseInstead() throws Exception {
    Path parent = Path.of(System.getProperty("java.io.tmpdir"), "inflight-standby");
    try (PgCluster cluster =
        PgCluster.create(EmbeddedBinaries.onClassPath().bin(), parent, Map.of())) {
      cluster.admin("CREATE DATABASE app");
      try (HikariDataSource primary = TestDatabase.pool(cluster.jdbcUrl("app"), 2)) {
        try (var c = primary.getConnection();
            var st = c.createStatement()) {
          st.execute("CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL)");
        }
      }
      // The same data directory, restarted as a hot standby: it answers reads and refuses writes.
      cluster.stop(PgCluster.Shutdown.FAST);
      Files.createFile(cluster.dataDirectory().resolve("standby.signal"));
      cluster.start();
      try (HikariDataSource standby = TestDatabase.pool(cluster.jdbcUrl("app"), 2)) {
        assertThatThrownBy(() -> Migrations.engine(standby).plan(doc.spec()))
            .isInstanceOf(PlanRejectedException.class)
            .hasMessageContaining("standby (pg_is_in_recovery() is true)")
            .hasMessageContaining("<cluster>-rw");
      }
    }
  }
}
