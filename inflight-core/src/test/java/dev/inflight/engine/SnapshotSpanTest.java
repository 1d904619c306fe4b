package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.api.MigrationSpec.ControlSpec;
import dev.inflight.api.MigrationSpec.CutoverControl;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A REPEATABLE READ transaction whose snapshot predates the swap would see the new table as of that
 * snapshot: without the rows drained under the swap's lock. The swap waits for it instead.
 */
@ExtendWith(PostgresExtension.class)
class SnapshotSpanTest {
  @Test
  void theSwapWaitsForASnapshotTakenBeforeItAndThenSwaps(TestDatabase db) throws Exception {
    db.exec(
        "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL)",
        "CREATE TABLE other (id int)",
        "INSERT INTO items SELECT g, 'o' FROM generate_series(1, 1000) g");
    MigrationDocument doc =
        Migrations.document(
            "items-memo",
            "public.items",
            "- addColumn: {name: memo, type: text}",
            "cutover: {mode: Manual, lockTimeout: 200ms}");
    Engine engine = Migrations.engine(db.dataSource());
    MigrationRecord m = engine.submit("items-memo", doc.spec());
    assertThat(Migrations.run(engine, m.id(), doc.spec()).phase())
        .isEqualTo(MigrationPhase.AwaitingCutover);
    MigrationSpec proceed =
        Migrations.withControl(doc.spec(), new ControlSpec("", CutoverControl.Proceed, Action.Run));

    try (Connection reader = db.dataSource().getConnection();
        Statement st = reader.createStatement()) {
      reader.setAutoCommit(false);
      st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      st.execute("SELECT count(*) FROM other"); // the snapshot is taken; items is not locked
      int pid;
      try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        pid = rs.getInt(1);
      }
      db.exec("INSERT INTO items VALUES (5000, 'late')");
      StepResult result = null;
      for (int i = 0; i < 5; i++) {
        result = engine.step(m.id(), proceed);
      }
      assertThat(result.phase()).isEqualTo(MigrationPhase.CuttingOver);
      assertThat(((StepResult.Waiting) result).message()).contains("pid " + pid);
      reader.rollback();
    }
    assertThat(Migrations.run(engine, m.id(), proceed).phase()).isEqualTo(MigrationPhase.Completed);
    assertThat(db.count("SELECT count(*) FROM items")).isEqualTo(1001);
  }
}
