package dev.inflight.engine.change;

import dev.inflight.api.Change;
import dev.inflight.engine.sql.Sql;
import dev.inflight.engine.sql.SqlExpressions;

/**
 * Adds a column. Existing rows get the default (or NULL), exactly as {@code ALTER TABLE ADD
 * COLUMN}; the copy leaves the column out so the shadow's default applies. When a later change
 * replaces that default, the shadow (built in its final shape) no longer has it, so the copy writes
 * this default itself; it must then be a constant, because the copy runs in many transactions and
 * could not give every row the one value {@code ALTER TABLE} would. Rollback drops the column.
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
            : SqlExpressions.expression(
                "addColumn " + spec.name() + " default", spec.defaultValue());
    this.notNull = Boolean.TRUE.equals(spec.notNull());
    if (spec.comment() != null && spec.comment().indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "addColumn " + spec.name() + " comment: contains a NUL character");
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
    boolean defaultReplacedLater = d.laterChangesDefault(name);
    if (defaultReplacedLater
        && defaultExpr != null
        && !AlterColumnTypeOp.CONSTANT.matcher(defaultExpr.trim()).matches()) {
      throw new IllegalArgumentException(
          describe()
              + ": the default "
              + defaultExpr
              + " is not a constant, so existing rows cannot all get the value ALTER TABLE ADD COLUMN"
              + " would give them once a later change replaces it; give a constant default here, or"
              + " the final default and no later setDefault or dropDefault");
    }
    d.ddl(
        "ALTER TABLE "
            + d.shadowSql()
            + " ADD COLUMN "
            + Sql.ident(name)
            + " "
            + type
            + (defaultExpr == null ? "" : " DEFAULT (" + defaultExpr + ")")
            + (notNull ? " NOT NULL" : ""));
    if (comment != null) {
      d.ddl(
          "COMMENT ON COLUMN "
              + d.shadowSql()
              + "."
              + Sql.ident(name)
              + " IS "
              + Sql.literal(comment));
    }
    d.addColumn(name, type, notNull, defaultExpr);
    if (defaultReplacedLater) {
      String value = defaultExpr == null ? "NULL" : "(" + defaultExpr + ")";
      d.forward().addComputed(name, "CAST(" + value + " AS " + type + ")");
    } else {
      d.forward().addUnmapped(name);
    }
    d.backward(p -> p.drop(name));
  }
}
