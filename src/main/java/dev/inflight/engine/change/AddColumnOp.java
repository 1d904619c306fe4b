package dev.inflight.engine.change;

import dev.inflight.api.Change;
import dev.inflight.engine.sql.Sql;
import dev.inflight.engine.sql.SqlExpressions;

/**
 * Adds a column. Existing rows get the default (or NULL), exactly as {@code ALTER TABLE ADD
 * COLUMN}; the copy leaves the column out so the shadow's default applies. Rollback drops it.
 */
final class AddColumnOp implements ChangeOp {
  private final String name;
  private final String type;
  private final String defaultExpr;
  private final boolean notNull;
  private final String comment;

  AddColumnOp(Change.AddColumn spec) {
    this.name = SqlExpressions.newName("addColumn.name", spec.name());
    this.type = SqlExpressions.typeName("addColumn " + spec.name() + " type", spec.type());
    this.defaultExpr =
        spec.defaultValue() == null
            ? null
            : SqlExpressions.expression("addColumn " + spec.name() + " default", spec.defaultValue());
    this.notNull = Boolean.TRUE.equals(spec.notNull());
    if (spec.comment() != null && spec.comment().indexOf('\0') >= 0) {
      throw new IllegalArgumentException("addColumn " + spec.name() + " comment: contains a NUL character");
    }
    this.comment = spec.comment();
  }

  @Override
  public String describe() {
    return "addColumn " + name;
  }

  @Override
  public void apply(ShadowDesign d) {
    d.requireAbsent(describe(), name);
    d.ddl(
        "ALTER TABLE " + d.shadowSql() + " ADD COLUMN " + Sql.ident(name) + " " + type
            + (defaultExpr == null ? "" : " DEFAULT (" + defaultExpr + ")")
            + (notNull ? " NOT NULL" : ""));
    if (comment != null) {
      d.ddl("COMMENT ON COLUMN " + d.shadowSql() + "." + Sql.ident(name) + " IS " + Sql.literal(comment));
    }
    d.addColumn(name, type, notNull, defaultExpr);
    d.forward().addUnmapped(name);
    d.backward(p -> p.drop(name));
  }
}
