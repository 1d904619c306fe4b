package dev.inflight.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.MigrationStatus;
import dev.inflight.api.MigrationStatus.Condition;
import dev.inflight.api.MigrationStatus.CutoverStatus;
import dev.inflight.api.MigrationStatus.Progress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusWritesTest {
  private static final String KEY = "apps/m";
  private final MutableClock clock = new MutableClock();
  private final StatusWrites writes = new StatusWrites(clock);

  private static MigrationStatus status(
      String phase, long copied, String reason, List<String> blockedBy) {
    return new MigrationStatus(
        1L,
        phase,
        "copied " + copied,
        null,
        new Progress(copied, 1000, (int) (copied / 10), 50, 10L, 0),
        new CutoverStatus(0, null, blockedBy, 0, 0, null),
        null,
        null,
        null,
        List.of(
            new Condition(
                "Reconciling", "True", reason, "copied " + copied, "2026-01-01T00:00:00Z", 1L)));
  }

  @Test
  void aStatusTheResourceShowsIsNotWrittenAgainWhateverTheEmptyListsLookLike() {
    MigrationStatus shown = status("Completed", 1000, "Completed", null);
    assertThat(writes.decide(KEY, shown, status("Completed", 1000, "Completed", List.of()), true))
        .isInstanceOf(StatusWrites.Unchanged.class);
    assertThat(writes.decide(KEY, shown, shown, false)).isInstanceOf(StatusWrites.Unchanged.class);
  }

  @Test
  void progressAloneIsWrittenAtMostOnceEveryFiveSecondsAndAnythingElseAtOnce() {
    MigrationStatus s0 = status("Backfilling", 0, "Backfilling", null);
    assertThat(writes.decide(KEY, null, s0, true)).isInstanceOf(StatusWrites.Write.class);

    clock.advance(Duration.ofSeconds(2));
    MigrationStatus s1 = status("Backfilling", 100, "Backfilling", null);
    assertThat(writes.decide(KEY, s0, s1, true))
        .isEqualTo(new StatusWrites.Held(Duration.ofSeconds(3)));
    // Nobody looks again: the progress is written rather than left behind.
    assertThat(writes.decide(KEY, s0, s1, false)).isInstanceOf(StatusWrites.Write.class);

    clock.advance(Duration.ofSeconds(1));
    assertThat(writes.decide(KEY, s1, status("Backfilling", 200, "Throttled", null), true))
        .as("a condition's reason changed")
        .isInstanceOf(StatusWrites.Write.class);
    clock.advance(Duration.ofSeconds(1));
    assertThat(writes.decide(KEY, s1, status("Syncing", 200, "Backfilling", null), true))
        .as("the phase changed")
        .isInstanceOf(StatusWrites.Write.class);

    clock.advance(Duration.ofSeconds(5));
    assertThat(writes.decide(KEY, s1, status("Backfilling", 300, "Backfilling", null), true))
        .isInstanceOf(StatusWrites.Write.class);
  }

  @Test
  void aNewInstanceWritesItsFirstStatusAtOnce() {
    MigrationStatus s0 = status("Backfilling", 0, "Backfilling", null);
    assertThat(writes.decide(KEY, s0, status("Backfilling", 100, "Backfilling", null), true))
        .isInstanceOf(StatusWrites.Write.class);
    writes.forget(KEY);
    assertThat(writes.decide(KEY, s0, status("Backfilling", 200, "Backfilling", null), true))
        .isInstanceOf(StatusWrites.Write.class);
  }
}
