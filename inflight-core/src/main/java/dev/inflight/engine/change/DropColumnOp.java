package dev.inflight.engine.change;

import dev.inflight.api.Change;
import dev.inflight.engine.sql.Sql;
import dev.inflight.engine.sql.SqlExpressions;

/**
 * Drops a column. Indexes and constraints involving only the table go with it, as in {@code ALTER
 * TABLE DROP COLUMN}. The archived table keeps the column; rows inserted after cut-over get {@code
 * reverseUsing}, else the column's default, else NULL, when carried back.
 */
final class DropColumnOp implements ChangeOp {
  private final String name;
  private final String reverseUsing;

  DropColumnOp(Change.DropColumn spec) {
    this.name = spec.name();
    this.reverseUsing =
        spec.reverseUsing() == null
            ? null
            : SqlExpressions.expression(
                "dropColumn " + spec.name() + " reverseUsing", spec.reverseUsing());
  }

  @Override
  public String describe() {
    return "dropColumn " + name;
  }

  @Override
  public void apply(ShadowDesign d) {
    ShadowDesign.Column c = d.requireColumn(describe(), name);
    if (d.isKey(c)) {
      throw new IllegalArgumentException(describe() + ": the column is part of the primary key");
    }
    if (d.rollbackRetained()
        && c.source() != null
        && reverseUsing == null
        && c.notNull
        && c.defaultExpr == null) {
      throw new IllegalArgumentException(
          describe()
              + ": the column is NOT NULL without a default, so rows inserted after cut-over could not be"
              + " copied back for a rollback; give reverseUsing, or set rollback.retainFor: 0");
    }
    d.ddl("ALTER TABLE " + d.shadowSql() + " DROP COLUMN " + Sql.ident(name));
    d.removeColumn(name);
    d.forward().drop(name);
    String back = reverseUsing;
    d.backward(
        p -> {
          if (back == null) {
            p.addUnmapped(name);
          } else {
            p.addComputed(name, back);
          }
        });
  }
}
