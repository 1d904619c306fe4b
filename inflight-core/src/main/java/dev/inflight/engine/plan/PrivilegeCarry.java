package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.TableInfo;
import dev.inflight.engine.sql.Sql;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The table's privileges and comment. The shadow is given them when it is built; a GRANT, REVOKE or
 * COMMENT someone runs on the live table after that would be lost at cut-over. When the swap is
 * planned again, the built shadow is known, and the cut-over makes the new table's privileges and
 * comment the live table's: it revokes everything the shadow was given and grants what the table
 * has now. The original keeps its own, so the rollback has nothing to do.
 */
final class PrivilegeCarry implements CarriedKind {
  private final CarryScope scope;
  private final TableInfo table;
  private final TableInfo built;

  /**
   * @param built the shadow as the migration built it; null at first planning, when the shadow is
   *     built from the table as it is
   */
  PrivilegeCarry(CarryScope scope, TableInfo table, TableInfo built) {
    this.scope = scope;
    this.table = table;
    this.built = built;
  }

  @Override
  public List<String> swap(Direction direction) {
    List<String> out = new ArrayList<>();
    if (direction != Direction.FORWARD || built == null) {
      return out;
    }
    if (!built.grants().equals(table.grants())) {
      // Revoking a table privilege revokes the same privilege on every column too.
      for (String grantee : grantees(built.grants())) {
        out.add("REVOKE ALL ON " + scope.tableSql + " FROM " + grantee);
      }
      for (String grant : table.grants()) {
        out.add(grant.replace("{{table}}", scope.tableSql));
      }
    }
    if (!Objects.equals(built.comment(), table.comment())) {
      out.add(
          "COMMENT ON TABLE "
              + scope.tableSql
              + " IS "
              + (table.comment() == null ? "NULL" : Sql.literal(table.comment())));
    }
    return out;
  }

  /** The grantees of {@code GRANT ... TO grantee [WITH GRANT OPTION]} statements, as written. */
  private static Set<String> grantees(List<String> grants) {
    Set<String> out = new LinkedHashSet<>();
    for (String grant : grants) {
      String to = grant.substring(grant.lastIndexOf(" TO ") + 4);
      out.add(to.endsWith(" WITH GRANT OPTION") ? to.substring(0, to.length() - 18) : to);
    }
    return out;
  }
}
