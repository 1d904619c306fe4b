package dev.inflight.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.api.MigrationDocument;
import dev.inflight.testing.Migrations;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.SteppedMigration;
import dev.inflight.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A table that a logical-replication subscription writes into: its apply worker fires no
 * statement-level triggers, so the capture would miss every replicated change. It is refused at
 * Planning, with the reason, before any DDL.
 */
@ExtendWith(PostgresExtension.class)
class SubscriptionTargetTest {
  /**
   * {@code ALTER SUBSCRIPTION ... REFRESH PUBLICATION} is refused for a disabled subscription, and
   * one without a slot cannot be enabled, so the table becomes a target the other legal way: a
   * subscription created while the migration runs, which records the publication's tables.
   */
  @Test
  void aTableThatBecomesASubscriptionTargetDuringTheMigrationStopsTheSwap(
      TestDatabase publisher, TestDatabase subscriber) throws Exception {
    String create = "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL)";
    publisher.exec(create, "CREATE PUBLICATION items_pub FOR TABLE items");
    subscriber.exec(create, "INSERT INTO items SELECT g, 'o' || g FROM generate_series(1, 1000) g");
    SteppedMigration m =
        SteppedMigration.start(
            subscriber, "items", "- addColumn: {name: memo, type: text}", "batchSize: 300");
    m.stepUntil(r -> r.phase() == MigrationPhase.Backfilling);
    subscriber.exec(subscribe(publisher));
    try {
      StepResult result = m.run();
      assertThat(result.phase()).as(m.record().failure()).isEqualTo(MigrationPhase.Failed);
      assertThat(m.record().failure())
          .contains("subscription items_sub")
          .contains("nothing was swapped");
      assertThat(
              subscriber.strings(
                  "SELECT attname FROM pg_attribute WHERE attrelid = 'items'::regclass"))
          .doesNotContain("memo");
      assertThat(subscriber.count("SELECT count(*) FROM items")).isEqualTo(1000);
    } finally {
      subscriber.exec("DROP SUBSCRIPTION items_sub");
    }
  }

  /** A subscription to {@code items_pub} that only records its tables, as a real one does. */
  private static String subscribe(TestDatabase publisher) {
    String database = publisher.strings("SELECT current_database()").get(0);
    String port = publisher.strings("SELECT setting FROM pg_settings WHERE name = 'port'").get(0);
    return "CREATE SUBSCRIPTION items_sub CONNECTION 'host=localhost port="
        + port
        + " dbname="
        + database
        + " user=postgres' PUBLICATION items_pub"
        + " WITH (create_slot = false, enabled = false, slot_name = NONE)";
  }

  @Test
  void aSubscriptionTargetIsRefusedAtPlanning(TestDatabase publisher, TestDatabase subscriber)
      throws Exception {
    String create = "CREATE TABLE items (id bigint PRIMARY KEY, owner text NOT NULL)";
    publisher.exec(create, "CREATE PUBLICATION items_pub FOR TABLE items");
    subscriber.exec(create);
    // No slot and not enabled: the subscription only records its tables, as a real one does.
    subscriber.exec(subscribe(publisher));
    try {
      MigrationDocument doc =
          Migrations.document(
              "items-memo", "public.items", "- addColumn: {name: memo, type: text}", null);
      assertThatThrownBy(() -> Migrations.engine(subscriber.dataSource()).plan(doc.spec()))
          .isInstanceOf(PlanRejectedException.class)
          .hasMessageContaining("subscription items_sub");
      assertThat(subscriber.strings("SELECT (to_regclass('items__ifl_new') IS NULL)::text"))
          .containsExactly("true");
    } finally {
      subscriber.exec("DROP SUBSCRIPTION items_sub");
    }
  }
}
