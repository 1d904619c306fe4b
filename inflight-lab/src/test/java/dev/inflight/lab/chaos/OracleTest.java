package dev.inflight.lab.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.workload.OracleWorkload;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The checks a trial passes or fails by can fail: differences are found and reported. */
class OracleTest {
  @Test
  void missingUnexpectedAndChangedRowsAreReported() {
    TreeMap<Long, OracleWorkload.Row> model = new TreeMap<>();
    model.put(1L, new OracleWorkload.Row(1, "a", 10, 1, "n1"));
    model.put(2L, new OracleWorkload.Row(2, "b", 20, 0, null));
    model.put(3L, new OracleWorkload.Row(3, "c", 30, 0, "n3"));
    List<String> expected = Items.expectedRows(model, true);
    assertThat(expected)
        .containsExactly("1|a|10|true|n1|x", "2|b|20|false|null|x", "3|c|30|false|n3|x");

    List<String> actual = List.of("1|a|10|true|n1|x", "3|c|31|false|n3|x", "4|d|40|false|null|x");
    assertThat(Items.difference(expected, actual, 10))
        .containsExactly(
            "1 missing, 1 unexpected, 1 changed rows of 3",
            "missing 2|b|20|false|null|x",
            "expected 3|c|30|false|n3|x but found 3|c|31|false|n3|x",
            "unexpected 4|d|40|false|null|x");
    assertThat(Items.difference(expected, expected, 10)).isEmpty();
  }

  @Test
  void afterRollbackTheFlagIsAnIntegerAgainAndTheAddedColumnIsGone() {
    TreeMap<Long, OracleWorkload.Row> model = new TreeMap<>();
    model.put(7L, new OracleWorkload.Row(7, "a", 1, 1, "n7"));
    assertThat(Items.expectedRows(model, false)).containsExactly("7|a|1|1|n7");
  }

  @Test
  void catalogDifferencesNameWhatIsExtraAndWhatIsMissing() {
    Shape reference = new Shape(List.of("column id bigint not null", "index items_pkey: x"));
    Shape trial =
        new Shape(List.of("column id bigint not null", "relation public.items__ifl_new (r)"));
    assertThat(trial.differences(reference))
        .containsExactly("+ relation public.items__ifl_new (r)", "- index items_pkey: x");
  }
}
