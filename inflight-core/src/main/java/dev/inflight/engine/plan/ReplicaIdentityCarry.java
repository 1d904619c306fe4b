package dev.inflight.engine.plan;

import dev.inflight.engine.sql.Sql;
import java.util.ArrayList;
import java.util.List;

/**
 * The replica identity: checked on the planning shadow (the index it names must exist there) and
 * set on the new table in the swap. The original keeps its own, so the rollback has nothing to do.
 */
final class ReplicaIdentityCarry implements CarriedKind {
  private final CarryScope scope;

  ReplicaIdentityCarry(CarryScope scope) {
    this.scope = scope;
  }

  @Override
  public List<Carryover.Check> beforeChanges() {
    return identity(scope.shadowSql, true).stream()
        .map(sql -> new Carryover.Check("replica identity", sql))
        .toList();
  }

  @Override
  public List<String> swap(Direction direction) {
    return direction == Direction.FORWARD ? identity(scope.tableSql, false) : List.of();
  }

  private List<String> identity(String table, boolean onShadow) {
    List<String> out = new ArrayList<>();
    switch (scope.props.replicaIdentity()) {
      case "f" -> out.add("ALTER TABLE " + table + " REPLICA IDENTITY FULL");
      case "n" -> out.add("ALTER TABLE " + table + " REPLICA IDENTITY NOTHING");
      case "i" -> {
        String idx = scope.props.replicaIndex();
        String bare = idx.contains(".") ? idx.substring(idx.lastIndexOf('.') + 1) : idx;
        bare =
            bare.startsWith("\"")
                ? bare.substring(1, bare.length() - 1).replace("\"\"", "\"")
                : bare;
        out.add(
            "ALTER TABLE "
                + table
                + " REPLICA IDENTITY USING INDEX "
                + Sql.ident(onShadow ? scope.names.shadowIndex(bare) : bare));
      }
      default -> {}
    }
    return out;
  }
}
