package dev.inflight.engine.change;

import dev.inflight.api.Change;
import dev.inflight.engine.sql.Sql;

/**
 * Adds NOT NULL. A NULL in any existing or replayed row stops the migration, not the application.
 */
final class SetNotNullOp implements ChangeOp {
  private final String column;

  SetNotNullOp(Change.SetNotNull spec) {
    this.column = spec.column();
  }

  @Override
  public String describe() {
    return "setNotNull " + column;
  }

  @Override
  public void apply(ShadowDesign d) {
    ShadowDesign.Column c = d.requireColumn(describe(), column);
    d.ddl("ALTER TABLE " + d.shadowSql() + " ALTER COLUMN " + Sql.ident(column) + " SET NOT NULL");
    c.notNull = true;
  }
}
