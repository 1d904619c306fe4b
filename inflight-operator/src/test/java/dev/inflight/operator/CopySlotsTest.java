package dev.inflight.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.ledger.Ledger.ActiveEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CopySlotsTest {
  private static final String DB = "jdbc:postgresql://db:5432/app";
  private final MutableClock clock = new MutableClock();
  private final CopySlots slots = new CopySlots(1, Duration.ofSeconds(20), clock);
  private final List<ActiveEntry> ledger = new ArrayList<>();

  private ActiveEntry submit(long id, String name) {
    ActiveEntry e = new ActiveEntry(id, name, MigrationPhase.Planning);
    ledger.add(e);
    return e;
  }

  private void move(ActiveEntry e, MigrationPhase phase) {
    ledger.replaceAll(x -> x.id() == e.id() ? new ActiveEntry(x.id(), x.name(), phase) : x);
  }

  @Test
  void oneCopyPerDatabaseAndTheOthersWaitInSubmissionOrderNamingTheHolder() throws Exception {
    ActiveEntry a = submit(1, "apps/a");
    ActiveEntry b = submit(2, "apps/b");
    ActiveEntry c = submit(3, "apps/c");

    // c asks first, and gets the free slot: nobody was waiting yet.
    assertThat(slots.admit(DB, c, () -> ledger)).isInstanceOf(CopySlots.Admitted.class);
    // Granted but still in Planning in the ledger: the slot is taken all the same.
    assertThat(slots.admit(DB, b, () -> ledger))
        .isEqualTo(new CopySlots.Queued("apps/c", 1, 1))
        .extracting(d -> ((CopySlots.Queued) d).message())
        .asString()
        .contains("apps/c is copying", "at most 1", "position 1");
    assertThat(slots.admit(DB, a, () -> ledger)).isEqualTo(new CopySlots.Queued("apps/c", 1, 1));
    assertThat(slots.admit(DB, c, () -> ledger)).isInstanceOf(CopySlots.Admitted.class);

    move(c, MigrationPhase.Backfilling);
    assertThat(slots.admit(DB, b, () -> ledger)).isEqualTo(new CopySlots.Queued("apps/c", 2, 1));

    // c finishes: a, submitted first, goes next, then b.
    ledger.remove(ledger.stream().filter(x -> x.id() == 3).findFirst().orElseThrow());
    assertThat(slots.admit(DB, b, () -> ledger)).isEqualTo(new CopySlots.Queued("apps/a", 2, 1));
    assertThat(slots.admit(DB, a, () -> ledger)).isInstanceOf(CopySlots.Admitted.class);
    move(a, MigrationPhase.CreatingShadow);
    assertThat(slots.admit(DB, b, () -> ledger)).isEqualTo(new CopySlots.Queued("apps/a", 1, 1));
    move(a, MigrationPhase.Completed);
    assertThat(slots.admit(DB, b, () -> ledger)).isInstanceOf(CopySlots.Admitted.class);
  }

  @Test
  void aMigrationWaitingForItsManualCutoverDoesNotHoldTheQueue() throws Exception {
    ActiveEntry manual = submit(1, "apps/manual");
    ActiveEntry next = submit(2, "apps/next");
    assertThat(slots.admit(DB, manual, () -> ledger)).isInstanceOf(CopySlots.Admitted.class);
    move(manual, MigrationPhase.AwaitingCutover);
    assertThat(slots.admit(DB, next, () -> ledger)).isInstanceOf(CopySlots.Admitted.class);
  }

  @Test
  void databasesHaveQueuesOfTheirOwn() throws Exception {
    ActiveEntry a = submit(1, "apps/a");
    ActiveEntry b = submit(2, "apps/b");
    assertThat(slots.admit(DB, a, () -> ledger)).isInstanceOf(CopySlots.Admitted.class);
    assertThat(slots.admit(DB + "2", b, () -> List.of(b))).isInstanceOf(CopySlots.Admitted.class);
  }

  @Test
  void aCopyRunFromTheCommandLineHoldsTheSlotToo() throws Exception {
    ActiveEntry cli = submit(1, "users-add-phone");
    move(cli, MigrationPhase.Syncing);
    ActiveEntry a = submit(2, "apps/a");
    assertThat(slots.admit(DB, a, () -> ledger))
        .isEqualTo(new CopySlots.Queued("users-add-phone", 1, 1));
  }

  @Test
  void aWaiterThatStopsAskingNoLongerBlocksTheQueue() throws Exception {
    ActiveEntry holder = submit(1, "apps/holder");
    ActiveEntry gone = submit(2, "apps/gone");
    ActiveEntry last = submit(3, "apps/last");
    slots.admit(DB, holder, () -> ledger);
    move(holder, MigrationPhase.Backfilling);
    assertThat(slots.admit(DB, gone, () -> ledger)).isInstanceOf(CopySlots.Queued.class);
    move(holder, MigrationPhase.Completed);
    // gone (deleted with deletionPolicy Retain: its ledger entry stays in Planning) is ahead of
    // last until it has not asked for longer than the memory.
    assertThat(slots.admit(DB, last, () -> ledger))
        .isEqualTo(new CopySlots.Queued("apps/gone", 2, 1));
    clock.advance(Duration.ofSeconds(21));
    assertThat(slots.admit(DB, last, () -> ledger)).isInstanceOf(CopySlots.Admitted.class);
  }

  @Test
  void aLimitAboveOneLetsThatManyCopyAtOnce() throws Exception {
    CopySlots two = new CopySlots(2, Duration.ofSeconds(20), clock);
    ActiveEntry a = submit(1, "apps/a");
    ActiveEntry b = submit(2, "apps/b");
    ActiveEntry c = submit(3, "apps/c");
    assertThat(two.admit(DB, a, () -> ledger)).isInstanceOf(CopySlots.Admitted.class);
    assertThat(two.admit(DB, b, () -> ledger)).isInstanceOf(CopySlots.Admitted.class);
    assertThat(two.admit(DB, c, () -> ledger)).isEqualTo(new CopySlots.Queued("apps/a", 1, 2));
    assertThatThrownBy(() -> new CopySlots(0, Duration.ofSeconds(1), clock))
        .hasMessageContaining("1 or more");
  }

  @Test
  void aLedgerReadBeforeAnotherMigrationStartedDoesNotLetASecondCopyIn() throws Exception {
    ActiveEntry a = submit(1, "apps/a");
    ActiveEntry b = submit(2, "apps/b");
    ActiveEntry c = submit(3, "apps/c");
    assertThat(slots.admit(DB, a, () -> ledger)).isInstanceOf(CopySlots.Admitted.class);
    // b's reconcile reads the ledger now, while a is granted but still in Planning ...
    List<ActiveEntry> readByB = List.copyOf(ledger);
    // ... a starts copying, and c's reconcile, reading the ledger after that, waits ...
    move(a, MigrationPhase.CreatingShadow);
    assertThat(slots.admit(DB, c, () -> ledger)).isInstanceOf(CopySlots.Queued.class);
    // ... and b asks last, with what it read before a started: a still holds the slot.
    assertThat(slots.admit(DB, b, () -> readByB)).isInstanceOf(CopySlots.Queued.class);
  }

  @Test
  void theDatabaseIsTheUrlWithoutItsParametersWhicheverAccountReachesIt() {
    assertThat(CopySlots.database("jdbc:postgresql://db:5432/app?user=a&password=x"))
        .isEqualTo(CopySlots.database("jdbc:postgresql://db:5432/app?sslmode=require"))
        .isEqualTo(DB);
    assertThat(CopySlots.database("jdbc:postgresql://db:5432/other")).isNotEqualTo(DB);
  }
}
