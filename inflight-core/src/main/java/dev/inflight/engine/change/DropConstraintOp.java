package dev.inflight.engine.change;

import dev.inflight.api.Change;
import dev.inflight.engine.sql.Sql;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Drops a constraint by name: a check (from the new table), a foreign key (not attached at the
 * swap), or a unique or exclusion constraint (its index is not built). The primary key stays.
 * Rollback: the archived table keeps the constraint.
 */
final class DropConstraintOp implements ChangeOp {
  private final String name;

  DropConstraintOp(Change.DropConstraint spec) {
    this.name = spec.name();
  }

  @Override
  public String describe() {
    return "dropConstraint " + name;
  }

  @Override
  public void apply(ShadowDesign d) throws SQLException {
    var index = d.index(name);
    if (index.isPresent()) {
      if (index.get().source() != null && index.get().source().primary()) {
        throw new IllegalArgumentException(describe() + ": the primary key cannot be dropped");
      }
      new DropIndexOp(new Change.DropIndex(name)).apply(d);
      return;
    }
    String type = constraintType(d);
    if (type == null) {
      throw new IllegalArgumentException(
          describe()
              + ": no constraint named "
              + name
              + " on "
              + d.table().schema()
              + "."
              + d.table().name());
    }
    String sql = "ALTER TABLE " + d.shadowSql() + " DROP CONSTRAINT " + Sql.ident(name);
    if (type.equals("c")) {
      d.ddl(sql);
    } else if (type.equals("f")) {
      d.dryRunDdl(sql);
    } else {
      throw new IllegalArgumentException(
          describe() + ": constraints of this kind (" + type + ") cannot be dropped");
    }
  }

  /** The constraint's kind on the planning shadow as the earlier changes left it, or null. */
  private String constraintType(ShadowDesign d) throws SQLException {
    try (PreparedStatement ps =
        d.connection()
            .prepareStatement(
                "SELECT contype::text FROM pg_constraint WHERE conrelid = ?::regclass AND conname = ?")) {
      ps.setString(1, d.shadowSql());
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }
}
