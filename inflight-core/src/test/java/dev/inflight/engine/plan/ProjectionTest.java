package dev.inflight.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How rows of the original become rows of the new table, without a database. */
class ProjectionTest {

  @Test
  void identityProjectionSelectsEveryColumnUnderItsOwnName() {
    Projection p = new Projection(List.of("id", "name"));

    assertThat(p.select(List.of("id", "name"), "src", null))
        .isEqualTo("SELECT \"id\" AS \"id\", \"name\" AS \"name\" FROM src AS l0");
    assertThat(p.mappedColumns()).containsExactly("id", "name");
  }

  @Test
  void renamedColumnTakesTheOldColumnsValueAndKeepsItsPlace() {
    Projection p = new Projection(List.of("id", "nickname", "email"));

    p.rename("nickname", "handle");

    assertThat(p.has("nickname")).isFalse();
    assertThat(p.mappedColumns()).containsExactly("id", "handle", "email");
    assertThat(p.select(List.of("handle"), "src", null))
        .isEqualTo("SELECT \"nickname\" AS \"handle\" FROM src AS l0");
  }

  @Test
  void droppedColumnCannotBeSelectedAnyMore() {
    Projection p = new Projection(List.of("id", "note"));

    p.drop("note");

    assertThat(p.has("note")).isFalse();
    assertThat(p.mappedColumns()).containsExactly("id");
    assertThatThrownBy(() -> p.select(List.of("id", "note"), "src", null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("column note has no value in this projection");
  }

  @Test
  void addedColumnIsUnmappedSoTheNewTablesDefaultApplies() {
    Projection p = new Projection(List.of("id"));

    p.addUnmapped("phone");

    assertThat(p.has("phone")).isTrue();
    assertThat(p.mapped("phone")).isFalse();
    assertThat(p.mappedColumns()).containsExactly("id");
    assertThatThrownBy(() -> p.select(List.of("phone"), "src", null)).hasMessageContaining("phone");
  }

  @Test
  void expressionSeesTheColumnsAsNamedAtThatPointOfTheChanges() {
    Projection p = new Projection(List.of("id", "flag"));
    p.rename("flag", "old_flag");

    p.replace("old_flag", "old_flag <> 0");

    assertThat(p.select(List.of("id", "old_flag"), "src", null))
        .isEqualTo(
            "SELECT \"id\" AS \"id\", (old_flag <> 0) AS \"old_flag\""
                + " FROM (SELECT \"id\" AS \"id\", \"flag\" AS \"old_flag\" FROM src AS l0) AS l1");
  }

  @Test
  void eachExpressionClosesALayerSoALaterOneSeesItsResult() {
    Projection p = new Projection(List.of("id", "price"));
    p.replace("price", "price * 100");

    p.addComputed("cents_text", "price::text");

    assertThat(p.select(List.of("cents_text"), "src", null))
        .isEqualTo(
            "SELECT (price::text) AS \"cents_text\""
                + " FROM (SELECT \"id\" AS \"id\", (price * 100) AS \"price\""
                + " FROM (SELECT \"id\" AS \"id\", \"price\" AS \"price\" FROM src AS l0) AS l1)"
                + " AS l2");
  }

  @Test
  void renamesAndDropsAloneAddNoLayer() {
    Projection p = new Projection(List.of("id", "a", "b"));

    p.rename("a", "c");
    p.drop("b");

    assertThat(p.select(List.of("id", "c"), "src", null))
        .isEqualTo("SELECT \"id\" AS \"id\", \"a\" AS \"c\" FROM src AS l0");
  }

  @Test
  void unmappedColumnStaysUnmappedAcrossALayer() {
    Projection p = new Projection(List.of("id", "flag"));
    p.addUnmapped("phone");

    p.replace("flag", "flag <> 0");

    assertThat(p.mapped("phone")).isFalse();
    assertThat(p.mappedColumns()).containsExactly("id", "flag");
    assertThat(p.select(List.of("id"), "src", null)).doesNotContain("phone");
  }

  @Test
  void castToTheTargetTypeWrapsOnlyTheColumnsThatHaveOne() {
    Projection p = new Projection(List.of("id", "flag"));
    p.replace("flag", "flag <> 0");

    String sql = p.select(List.of("id", "flag"), "src", Map.of("flag", "boolean"));

    assertThat(sql).startsWith("SELECT \"id\" AS \"id\", CAST((flag <> 0) AS boolean) AS \"flag\"");
  }

  @Test
  void hostileColumnNamesAreQuotedWithTheirQuotesDoubled() {
    String hostile = "x\" FROM pg_authid; --";
    Projection p = new Projection(List.of(hostile));

    p.rename(hostile, "we\"ird");

    assertThat(p.select(List.of("we\"ird"), "src", null))
        .isEqualTo("SELECT \"x\"\" FROM pg_authid; --\" AS \"we\"\"ird\" FROM src AS l0");
  }
}
