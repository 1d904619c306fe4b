package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.MigrationDocument;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An orphaned {@code PREPARE TRANSACTION} keeps its locks without a session: it is named as the
 * blocker, and the migration gives up after its attempt limit instead of retrying for ever.
 */
@ExtendWith(PostgresExtension.class)
class PreparedTransactionTest {
  @Test
  void anOrphanedPreparedTransactionIsReportedByItsGidAndAttemptsAreLimited(TestDatabase db)
      throws Exception {
    db.exec(
        "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL)",
        "INSERT INTO items SELECT g, 'o' || g FROM generate_series(1, 100) g");
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("UPDATE items SET owner = 'held' WHERE id = 1");
      st.execute("PREPARE TRANSACTION 'orphan-1'");
      c.setAutoCommit(true);
    }
    try {
      MigrationDocument doc =
          Migrations.document(
              "items-memo",
              "public.items",
              "- addColumn: {name: memo, type: text}",
              "cutover: {lockTimeout: 100ms, maxAttempts: 3}");
      Engine engine = Migrations.engine(db.dataSource());
      MigrationRecord m = engine.submit("items-memo", doc.spec());
      StepResult result = engine.step(m.id(), doc.spec());
      for (int i = 0; i < 10 && result.phase() != MigrationPhase.CreatingShadow; i++) {
        result = engine.step(m.id(), doc.spec());
      }
      StepResult blocked = engine.step(m.id(), doc.spec());
      assertThat(blocked).isInstanceOf(StepResult.Waiting.class);
      assertThat(((StepResult.Waiting) blocked).message())
          .contains("prepared transaction 'orphan-1'");

      for (int i = 0; i < 10 && !(result instanceof StepResult.Failed); i++) {
        result = engine.step(m.id(), doc.spec());
      }
      assertThat(result).isInstanceOf(StepResult.Failed.class);
      assertThat(((StepResult.Failed) result).reason()).contains("orphan-1").contains("3 attempts");
      assertThat(db.count("SELECT count(*) FROM items WHERE owner = 'held'")).isZero();
    } finally {
      db.exec("ROLLBACK PREPARED 'orphan-1'");
    }
  }
}
