package dev.inflight.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The swap of a tree must fit in a quarter of the server's shared lock table. */
class LockBudgetTest {
  @Test
  void aTreeWithinAQuarterOfTheLockTableFits() {
    // 64 partitions, a key and two indexes each, a TOAST table each: 2 x (65 + 195 + 64) = 648.
    var budget = new PartitionChecks.LockBudget(65, 195, 64, 64, 100, 0);
    assertThat(budget.needed()).isEqualTo(648);
    assertThat(budget.lockTable()).isEqualTo(6400);
    assertThat(budget.fits()).isTrue();
  }

  @Test
  void aTreeBeyondAQuarterIsRefusedWithTheSettingToRaise() {
    // 1,024 partitions with a key each: 2 x (1025 + 1025 + 0) = 4100 > 6400 / 4.
    var budget = new PartitionChecks.LockBudget(1025, 1025, 0, 64, 90, 10);
    assertThat(budget.fits()).isFalse();
    assertThat(budget.neededMaxLocks()).isEqualTo(164);
    assertThat(budget.refusal())
        .isEqualTo(
            "a swap of this tree takes about 4100 locks (2 x (1025 relations + 1025 indexes + 0"
                + " TOAST tables)), more than a quarter of the server's lock table"
                + " (max_locks_per_transaction 64 x (max_connections 90 + max_prepared_transactions"
                + " 10) = 6400); raise max_locks_per_transaction to at least 164 (a restart is"
                + " needed)");
    assertThat(new PartitionChecks.LockBudget(1025, 1025, 0, 164, 90, 10).fits()).isTrue();
  }
}
