package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.TableProperties.Statistics;
import dev.inflight.engine.sql.Sql;
import java.util.ArrayList;
import java.util.List;

/**
 * Extended statistics ({@code CREATE STATISTICS}). Planning creates each on the empty shadow before
 * the changes, under the shadow suffix, so PostgreSQL follows renames and drops one whose column
 * goes; the final columns are read back from the shadow. The swap sets the original's aside under
 * the archived suffix and creates each on the new table under its own name (catalog work only; the
 * ANALYZE after the swap fills it); the rollback drops the new table's and gives the original's
 * their names back. A statistics object's own statistics target is not carried.
 */
final class StatisticsCarry implements CarriedKind {
  private final CarryScope scope;

  StatisticsCarry(CarryScope scope) {
    this.scope = scope;
  }

  @Override
  public List<Carryover.Check> beforeChanges() {
    return scope.props.statistics().stream()
        .map(
            s ->
                new Carryover.Check(
                    "statistics " + s.name(),
                    create(s, Names.suffixed(s.name(), Names.NEW), scope.shadowSql)))
        .toList();
  }

  @Override
  public List<String> warnings() {
    List<String> out = new ArrayList<>();
    for (Statistics s : scope.props.statistics()) {
      if (carried(s) == null) {
        out.add("statistics " + s.name() + " is dropped because a column it uses is dropped");
      }
    }
    return out;
  }

  @Override
  public List<String> swap(Direction direction) {
    List<String> out = new ArrayList<>();
    for (Statistics s : scope.props.statistics()) {
      if (direction == Direction.FORWARD) {
        out.add(rename(s, s.name(), Names.suffixed(s.name(), Names.OLD)));
      } else if (carried(s) != null) {
        out.add("DROP STATISTICS " + Sql.qualified(s.schema(), s.name()));
      }
    }
    for (Statistics s : scope.props.statistics()) {
      Statistics onShadow = carried(s);
      if (direction == Direction.BACK) {
        out.add(rename(s, Names.suffixed(s.name(), Names.OLD), s.name()));
      } else if (onShadow != null) {
        out.add(create(onShadow, s.name(), scope.tableSql));
        out.add(
            "ALTER STATISTICS "
                + Sql.qualified(s.schema(), s.name())
                + " OWNER TO "
                + Sql.ident(s.owner()));
      }
    }
    return out;
  }

  /** The new table's statistics are empty until analyzed; ANALYZE does not block writers. */
  @Override
  public List<String> validateAfter(Direction direction) {
    boolean any = scope.props.statistics().stream().anyMatch(s -> carried(s) != null);
    return direction == Direction.FORWARD && any ? List.of("ANALYZE " + scope.tableSql) : List.of();
  }

  /** The statistics object as the changes left it on the planning shadow, or null if dropped. */
  private Statistics carried(Statistics s) {
    String name = Names.suffixed(s.name(), Names.NEW);
    return scope.shadowProps().statistics().stream()
        .filter(x -> x.name().equals(name))
        .findFirst()
        .orElse(null);
  }

  private static String create(Statistics s, String name, String table) {
    return "CREATE STATISTICS "
        + Sql.qualified(s.schema(), name)
        + (s.kinds().isEmpty() ? "" : " (" + s.kinds() + ")")
        + " ON "
        + s.columns()
        + " FROM "
        + table;
  }

  private static String rename(Statistics s, String from, String to) {
    return "ALTER STATISTICS " + Sql.qualified(s.schema(), from) + " RENAME TO " + Sql.ident(to);
  }
}
