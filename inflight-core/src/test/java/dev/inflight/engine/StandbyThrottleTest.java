package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.inflight.api.MigrationSpec;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.engine.sync.StandbyLag;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.StreamingPair;
import dev.inflight.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

/**
 * The throttles that watch replication, against a real streaming standby and a real logical slot:
 * the copy waits while the standby does not replay or the slot's consumer does not advance, the
 * wait names which one and why, and the copy goes on once they catch up.
 */
class StandbyThrottleTest {
  private static final int ROWS = 20_000;
  private static final String CHANGES = "- addColumn: {name: note, type: text}\n";
  private static StreamingPair pair;

  @BeforeAll
  static void startPair() throws IOException {
    Path bin = StreamingPair.binaries().orElse(null);
    assumeTrue(
        bin != null,
        "no PostgreSQL with pg_basebackup in /usr/lib/postgresql/15/bin (apt-get install"
            + " postgresql-15, as .ci/run does): the embedded binaries cannot make a standby");
    pair = StreamingPair.start(bin);
  }

  @AfterAll
  static void stopPair() throws IOException {
    if (pair != null) {
      pair.close();
    }
  }

  @Test
  void copyWaitsForAStandbyWhoseReplayIsPausedAndResumesWithReplay() throws Exception {
    String url = pair.createDatabase("standby_lag", null);
    table(url);
    awaitStandbyCaughtUp();
    pair.onStandby("SELECT pg_wal_replay_pause()");
    // A time limit no paused standby reaches: its replay_lag stays at the last value measured, so
    // only the WAL it has not replayed shows that it stopped.
    MigrationSpec spec =
        spec("backfill: {batchSize: 1000, maxReplicaLag: 1h, maxReplicaLagBytes: 256kB}\n");
    try (HikariDataSource ds = TestDatabase.pool(url, 5)) {
      Engine engine = Migrations.engine(ds);
      MigrationRecord m = engine.submit("parts-note", spec);

      StepResult.Waiting wait = awaitThrottle(engine, m.id(), spec, StepResult.Throttle.ReplicaLag);
      assertThat(wait.message())
          .contains("standby '" + StreamingPair.STANDBY + "'")
          .contains("of WAL not replayed, over backfill.maxReplicaLagBytes 256kB");
      assertCopyHeld(engine, m.id(), spec, StepResult.Throttle.ReplicaLag);

      resumeReplay();
      StepResult done = Migrations.run(engine, m.id(), spec);
      assertThat(done.phase()).isEqualTo(MigrationPhase.Completed);
    }
    assertThat(scalar(url, "SELECT count(note IS NULL) FROM parts")).isEqualTo(ROWS);
  }

  @Test
  void copyWaitsForALogicalSlotWhoseConsumerStopsUntilItAdvancesOrIsDropped() throws Exception {
    String url = pair.createDatabase("slot_wal", null);
    table(url);
    exec(url, "SELECT pg_create_logical_replication_slot('cdc_parts', 'test_decoding')");
    MigrationSpec spec =
        spec("backfill: {batchSize: 1000, maxReplicaLag: 0, maxSlotRetainedWal: 256kB}\n");
    try (HikariDataSource ds = TestDatabase.pool(url, 5)) {
      Engine engine = Migrations.engine(ds);
      MigrationRecord m = engine.submit("parts-note", spec);

      StepResult.Waiting wait =
          awaitThrottle(engine, m.id(), spec, StepResult.Throttle.SlotRetainedWal);
      assertThat(wait.message())
          .contains("replication slot 'cdc_parts' (logical, database slot_wal, inactive) keeps")
          .contains("of WAL, over backfill.maxSlotRetainedWal 256kB");
      long held = assertCopyHeld(engine, m.id(), spec, StepResult.Throttle.SlotRetainedWal);

      // The consumer catches up: its restart_lsn moves once decoding passes a record of the
      // running transactions, which a checkpoint writes.
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () -> {
                exec(
                    url,
                    "CHECKPOINT",
                    "SELECT pg_replication_slot_advance('cdc_parts', pg_current_wal_lsn())");
                return scalar(
                        url,
                        "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint"
                            + " FROM pg_replication_slots WHERE slot_name = 'cdc_parts'")
                    < 256 * 1024;
              });
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () -> {
                engine.step(m.id(), spec);
                return engine.get(m.id()).rowsCopied() > held;
              });

      exec(url, "SELECT pg_drop_replication_slot('cdc_parts')");
      StepResult done = Migrations.run(engine, m.id(), spec);
      assertThat(done.phase()).isEqualTo(MigrationPhase.Completed);
    }
    assertThat(scalar(url, "SELECT count(note IS NULL) FROM parts")).isEqualTo(ROWS);
  }

  @Test
  void aRoleWithoutPgMonitorIsWarnedAtPlanningAndStatusSaysTheStandbyThrottleIsBlind()
      throws Exception {
    pair.primaryAdmin("CREATE ROLE watcher LOGIN");
    pair.createDatabase("blind_lag", "watcher");
    String url = pair.url("blind_lag", "watcher");
    table(url);
    // Paced, so the copy is still running when the status is read.
    MigrationSpec spec = spec("backfill: {batchSize: 500, maxRowsPerSecond: 1000}\n");
    try (HikariDataSource ds = TestDatabase.pool(url, 5)) {
      Engine engine = Migrations.engine(ds);
      assertThat(engine.plan(spec).warnings())
          .anySatisfy(
              w ->
                  assertThat(w)
                      .startsWith("role watcher cannot read standby positions or lag times")
                      .endsWith(
                          "GRANT pg_monitor TO watcher, or set maxReplicaLag: 0 to acknowledge"));
      pair.primaryAdmin("GRANT pg_monitor TO watcher");
      assertThat(engine.plan(spec).warnings()).noneMatch(w -> w.contains("pg_monitor"));
      pair.primaryAdmin("REVOKE pg_monitor FROM watcher");

      MigrationRecord m = engine.submit("parts-note", spec);
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () -> {
                engine.step(m.id(), spec);
                return engine.get(m.id()).phase() == MigrationPhase.Backfilling;
              });
      assertThat(engine.status(m.id(), spec).progress().blindThrottles())
          .containsExactly(
              "maxReplicaLag is blind: 1 standby(s) stream from this server, but this role cannot"
                  + " read their positions or lag times in pg_stat_replication (grant the"
                  + " migrating role pg_monitor)");

      pair.primaryAdmin("GRANT pg_monitor TO watcher");
      assertThat(engine.status(m.id(), spec).progress().blindThrottles()).isEmpty();
    }
  }

  @Test
  void aLogicalConsumerStreamingFromItsSlotIsMeasuredByTheSlotNotTakenForAStandby()
      throws Exception {
    String url = pair.createDatabase("logical_consumer", null);
    exec(url, "SELECT pg_create_logical_replication_slot('consumer', 'test_decoding')");
    Properties replication = new Properties();
    PGProperty.REPLICATION.set(replication, "database");
    PGProperty.PREFER_QUERY_MODE.set(replication, "simple");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(replication, "10");
    try (Connection consumer = DriverManager.getConnection(url, replication);
        PGReplicationStream stream =
            consumer
                .unwrap(PGConnection.class)
                .getReplicationAPI()
                .replicationStream()
                .logical()
                .withSlotName("consumer")
                .start();
        Connection c = DriverManager.getConnection(url)) {
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () ->
                  scalar(
                          url,
                          "SELECT count(*) FROM pg_stat_replication"
                              + " WHERE application_name <> '"
                              + StreamingPair.STANDBY
                              + "'")
                      == 1);
      assertThat(StandbyLag.read(c))
          .extracting(StandbyLag.Standby::name)
          .containsExactly(StreamingPair.STANDBY);
      stream.forceUpdateStatus();
    }
    exec(url, "SELECT pg_drop_replication_slot('consumer')");
  }

  private static MigrationSpec spec(String backfill) {
    return Migrations.document("parts-note", "public.parts", CHANGES, backfill).spec();
  }

  private static void table(String url) throws SQLException {
    exec(
        url,
        "CREATE TABLE parts (id bigint PRIMARY KEY, code integer NOT NULL, filler text NOT NULL)",
        "INSERT INTO parts SELECT g, g % 1000, repeat('x', 400) FROM generate_series(1, "
            + ROWS
            + ") g");
  }

  @AfterEach
  void resumeReplay() throws SQLException {
    if (pair != null) {
      pair.onStandby(
          "SELECT pg_wal_replay_resume() WHERE pg_get_wal_replay_pause_state() <> 'not paused'");
    }
  }

  private static void awaitStandbyCaughtUp() {
    await()
        .atMost(Duration.ofMinutes(1))
        .until(
            () ->
                pair.primaryScalar(
                        "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint"
                            + " FROM pg_stat_replication WHERE application_name = '"
                            + StreamingPair.STANDBY
                            + "'")
                    == 0);
  }

  /** Steps until the copy waits on {@code throttle}; fails if the migration gets past the copy. */
  private static StepResult.Waiting awaitThrottle(
      Engine engine, long id, MigrationSpec spec, StepResult.Throttle throttle) {
    AtomicReference<StepResult> last = new AtomicReference<>();
    await()
        .atMost(Duration.ofMinutes(2))
        .until(
            () -> {
              StepResult r = engine.step(id, spec);
              last.set(r);
              assertThat(r.phase().ordinal())
                  .as("the copy is held before it ends: %s", r)
                  .isLessThanOrEqualTo(MigrationPhase.Backfilling.ordinal());
              return r instanceof StepResult.Waiting w && w.throttle() == throttle;
            });
    return (StepResult.Waiting) last.get();
  }

  /** A few more steps all wait on {@code throttle} and copy nothing; returns the rows copied. */
  private static long assertCopyHeld(
      Engine engine, long id, MigrationSpec spec, StepResult.Throttle throttle) throws Exception {
    long copied = engine.get(id).rowsCopied();
    assertThat(copied).isLessThan(ROWS);
    for (int i = 0; i < 3; i++) {
      StepResult r = engine.step(id, spec);
      assertThat(r)
          .isInstanceOfSatisfying(
              StepResult.Waiting.class, w -> assertThat(w.throttle()).isEqualTo(throttle));
    }
    assertThat(engine.get(id).rowsCopied()).isEqualTo(copied);
    return copied;
  }

  private static void exec(String url, String... sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  private static long scalar(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
