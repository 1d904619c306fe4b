package dev.inflight.engine.change;

import dev.inflight.api.Change;
import dev.inflight.engine.sql.Sql;

/** Drops a column default on the new table. */
final class DropDefaultOp implements ChangeOp {
  private final String column;

  DropDefaultOp(Change.DropDefault spec) {
    this.column = spec.column();
  }

  String column() {
    return column;
  }

  @Override
  public String describe() {
    return "dropDefault " + column;
  }

  @Override
  public void apply(ShadowDesign d) {
    ShadowDesign.Column c = d.requireColumn(describe(), column);
    d.ddl("ALTER TABLE " + d.shadowSql() + " ALTER COLUMN " + Sql.ident(column) + " DROP DEFAULT");
    c.defaultExpr = null;
  }
}
