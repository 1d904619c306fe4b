package dev.inflight.engine.change;

import dev.inflight.api.Change;
import dev.inflight.engine.sql.Sql;
import dev.inflight.engine.sql.SqlExpressions;

/** Adds a CHECK constraint; a row that violates it stops the migration, not the application. */
final class AddCheckOp implements ChangeOp {
  private final String name;
  private final String expr;

  AddCheckOp(Change.AddCheck spec) {
    this.name = SqlExpressions.newName("addCheck.name", spec.name());
    this.expr = SqlExpressions.expression("addCheck " + spec.name(), spec.expression());
  }

  @Override
  public String describe() {
    return "addCheck " + name;
  }

  @Override
  public void apply(ShadowDesign d) {
    // The shadow's key and unique constraints carry temporary names until cut-over renames them,
    // so the dry run cannot see this clash; the cut-over would.
    if (d.index(name)
        .map(ix -> ix.source() != null && ix.source().backsConstraint())
        .orElse(false)) {
      throw new IllegalArgumentException(
          describe() + ": the table already has a constraint named " + name);
    }
    d.ddl(
        "ALTER TABLE "
            + d.shadowSql()
            + " ADD CONSTRAINT "
            + Sql.ident(name)
            + " CHECK ("
            + expr
            + ")");
  }
}
