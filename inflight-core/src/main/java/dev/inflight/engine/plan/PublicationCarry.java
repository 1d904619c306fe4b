package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.TableProperties.Publication;
import dev.inflight.engine.sql.Sql;
import java.util.ArrayList;
import java.util.List;

/**
 * Publications that list the table: the swap moves the table's membership to whichever table is
 * then live, with its column list (under the columns' final names) and row filter. Publications FOR
 * ALL TABLES need nothing, but see the shadow and the archived table too, which the plan warns.
 */
final class PublicationCarry implements CarriedKind {
  private final CarryScope scope;

  PublicationCarry(CarryScope scope) {
    this.scope = scope;
  }

  @Override
  public List<String> warnings() {
    if (scope.props.allTablesPublications().isEmpty()) {
      return List.of();
    }
    return List.of(
        "publication(s) "
            + String.join(", ", scope.props.allTablesPublications())
            + " publish all tables: they also publish"
            + " the shadow table's copy and the archived table's reverse replay");
  }

  /** A column list that names a dropped column is refused here, at Planning. */
  @Override
  public List<Carryover.Check> validations() {
    for (Publication p : scope.props.publications()) {
      if (p.columns() != null) {
        columnList(p);
      }
    }
    return List.of();
  }

  @Override
  public List<String> swap(Direction direction) {
    List<String> out = new ArrayList<>();
    boolean forward = direction == Direction.FORWARD;
    for (Publication p : scope.props.publications()) {
      if (forward) {
        out.add("ALTER PUBLICATION " + Sql.ident(p.name()) + " DROP TABLE " + scope.archivedSql);
      }
      out.add(
          "ALTER PUBLICATION "
              + Sql.ident(p.name())
              + " ADD TABLE "
              + scope.tableSql
              + tail(p, forward));
    }
    return out;
  }

  private String tail(Publication p, boolean forward) {
    String cols = p.columns() == null ? "" : " (" + (forward ? columnList(p) : p.columns()) + ")";
    return cols + (p.rowFilter() == null ? "" : " WHERE (" + p.rowFilter() + ")");
  }

  private String columnList(Publication p) {
    List<String> out = new ArrayList<>();
    for (String quoted : p.columns().split(", ")) {
      String c =
          quoted.startsWith("\"")
              ? quoted.substring(1, quoted.length() - 1).replace("\"\"", "\"")
              : quoted;
      String to = scope.finalColumn(c);
      if (to == null) {
        throw new IllegalArgumentException(
            "publication " + p.name() + " publishes column " + c + ", which the changes drop");
      }
      out.add(Sql.ident(to));
    }
    return String.join(", ", out);
  }
}
