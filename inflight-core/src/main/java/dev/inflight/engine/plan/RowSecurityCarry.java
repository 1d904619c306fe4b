package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.TableProperties.Policy;
import dev.inflight.engine.sql.Sql;
import java.util.ArrayList;
import java.util.List;

/**
 * Row-level security and its policies. Policies are created on the empty planning shadow before the
 * changes (PostgreSQL follows renames and refuses drops that break them) and attached to the new
 * table only inside the swap, with RLS itself: on the shadow they would filter the replay. The
 * archived table keeps its own; a forced RLS is lifted there so the reverse replay, run by the
 * owner, sees every row.
 */
final class RowSecurityCarry implements CarriedKind {
  private final CarryScope scope;

  RowSecurityCarry(CarryScope scope) {
    this.scope = scope;
  }

  @Override
  public List<Carryover.Check> beforeChanges() {
    return scope.props.policies().stream()
        .map(p -> new Carryover.Check("policy " + p.name(), createPolicy(p, scope.shadowSql)))
        .toList();
  }

  @Override
  public List<String> swap(Direction direction) {
    List<String> out = new ArrayList<>();
    if (direction == Direction.BACK) {
      if (scope.props.forceRowSecurity()) {
        out.add("ALTER TABLE " + scope.tableSql + " FORCE ROW LEVEL SECURITY");
      }
      return out;
    }
    if (scope.props.rowSecurity()) {
      out.add("ALTER TABLE " + scope.tableSql + " ENABLE ROW LEVEL SECURITY");
    }
    if (scope.props.forceRowSecurity()) {
      out.add("ALTER TABLE " + scope.tableSql + " FORCE ROW LEVEL SECURITY");
      out.add("ALTER TABLE " + scope.archivedSql + " NO FORCE ROW LEVEL SECURITY");
    }
    for (Policy p : scope.shadowProps().policies()) {
      out.add(createPolicy(p, scope.tableSql));
    }
    return out;
  }

  private static String createPolicy(Policy p, String table) {
    return "CREATE POLICY "
        + Sql.ident(p.name())
        + " ON "
        + table
        + " AS "
        + (p.permissive() ? "PERMISSIVE" : "RESTRICTIVE")
        + " FOR "
        + p.command()
        + " TO "
        + String.join(", ", p.roles())
        + (p.using() == null ? "" : " USING (" + p.using() + ")")
        + (p.withCheck() == null ? "" : " WITH CHECK (" + p.withCheck() + ")");
  }
}
