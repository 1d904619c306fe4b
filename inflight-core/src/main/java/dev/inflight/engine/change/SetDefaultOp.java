package dev.inflight.engine.change;

import dev.inflight.api.Change;
import dev.inflight.engine.sql.Sql;
import dev.inflight.engine.sql.SqlExpressions;

/** Sets a column default on the new table; existing values are unchanged, as in ALTER TABLE. */
final class SetDefaultOp implements ChangeOp {
  private final String column;
  private final String expr;

  SetDefaultOp(Change.SetDefault spec) {
    this.column = spec.column();
    this.expr = SqlExpressions.expression("setDefault " + spec.column(), spec.defaultValue());
  }

  String column() {
    return column;
  }

  @Override
  public String describe() {
    return "setDefault " + column;
  }

  @Override
  public void apply(ShadowDesign d) {
    ShadowDesign.Column c = d.requireColumn(describe(), column);
    d.ddl(
        "ALTER TABLE "
            + d.shadowSql()
            + " ALTER COLUMN "
            + Sql.ident(column)
            + " SET DEFAULT ("
            + expr
            + ")");
    c.defaultExpr = expr;
  }
}
