package dev.inflight.lab.generative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.lab.Lab;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The text of a case replays it exactly; the generator keeps the pending dimensions on a switch.
 */
class GenerativeCaseTest {
  @Test
  void everyDrawnCaseReadsBackFromItsText() {
    Random r = new Random(5);
    for (int i = 0; i < 500; i++) {
      GenerativeCase drawn = GenerativeCase.random(r, r.nextBoolean());
      assertThat(GenerativeCase.parse(drawn.encode())).isEqualTo(drawn);
      for (GenerativeCase smaller : drawn.smaller()) {
        assertThat(GenerativeCase.parse(smaller.encode())).isEqualTo(smaller);
      }
    }
  }

  @Test
  void aCaseShrunkToNoActivitiesStillInserts() {
    GenerativeCase bare =
        new GenerativeCase(
            new TableShape(KeyKind.BIGINT, false, false, false),
            ChangeKind.ADD_COLUMN,
            Set.of(),
            Kill.NONE,
            1);
    assertThat(bare.activities()).containsExactly(Activity.INSERT);
  }

  @Test
  void withoutPendingFixesNoPendingDimensionIsDrawn() {
    List<GenerativeCase> cases = Generative.draw(300, 9, false);
    assertThat(cases).noneMatch(GenerativeCase::needsPendingFixes);
    assertThat(Generative.draw(300, 9, true)).anyMatch(GenerativeCase::needsPendingFixes);
  }

  @Test
  void keysOfDifferentThreadsOrSerialsNeverCompareEqual() {
    for (KeyKind kind : KeyKind.values()) {
      Set<String> seen = new HashSet<>();
      for (int t = 0; t < 3; t++) {
        for (int n = 1; n < 200; n++) {
          String key = String.join("|", kind.key(t, n, n * 7 + t)).toLowerCase();
          assertThat(seen.add(key)).as(kind + " " + key).isTrue();
        }
      }
    }
  }

  @Test
  void equalKeyChangesKeepTheValueAndChangeTheBytes() {
    assertThat(KeyKind.NUMERIC.equalChange(List.of("10000005"))).containsExactly("10000005.0");
    assertThat(KeyKind.NUMERIC.equalChange(List.of("10000005.00"))).containsExactly("10000005");
    assertThat(KeyKind.CITEXT.equalChange(List.of("a1-5"))).containsExactly("A1-5");
    assertThat(KeyKind.TEXT_CASE_INSENSITIVE.equalChange(List.of("Ä1-5"))).containsExactly("ä1-5");
  }

  @Test
  void aMalformedCaseIsRefusedWithTheReason() {
    assertThatThrownBy(() -> GenerativeCase.parse("key=bigint;seed=1"))
        .hasMessageContaining("exactly the fields");
    assertThatThrownBy(
            () ->
                GenerativeCase.parse(
                    "key=bigint;unique=yes;toast=false;dropped=false;change=add-column;"
                        + "activities=insert;kill=none;seed=1"))
        .hasMessageContaining("true or false");
    assertThatThrownBy(() -> Kill.parse("rollback/Backfilling/10"))
        .hasMessageContaining("cannot be struck in Backfilling");
    assertThat(Lab.run("chaos", "--generative", "--case", "key=nothing")).isEqualTo(2);
  }
}
