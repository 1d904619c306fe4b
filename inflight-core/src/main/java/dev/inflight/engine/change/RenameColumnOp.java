package dev.inflight.engine.change;

import dev.inflight.api.Change;
import dev.inflight.engine.sql.Sql;
import dev.inflight.engine.sql.SqlExpressions;

/** Renames a column; indexes and constraints follow it. Rollback restores the old name. */
final class RenameColumnOp implements ChangeOp {
  private final String from;
  private final String to;

  RenameColumnOp(Change.RenameColumn spec) {
    this.from = spec.from();
    this.to = SqlExpressions.newName("renameColumn.to", spec.to());
  }

  @Override
  public String describe() {
    return "renameColumn " + from + " to " + to;
  }

  @Override
  public void apply(ShadowDesign d) {
    d.requireColumn(describe(), from);
    d.requireAbsent(describe(), to);
    d.ddl(
        "ALTER TABLE "
            + d.shadowSql()
            + " RENAME COLUMN "
            + Sql.ident(from)
            + " TO "
            + Sql.ident(to));
    d.renameColumn(from, to);
    d.forward().rename(from, to);
    d.backward(p -> p.rename(to, from));
  }
}
