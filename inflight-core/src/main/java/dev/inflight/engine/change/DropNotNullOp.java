package dev.inflight.engine.change;

import dev.inflight.api.Change;
import dev.inflight.engine.sql.Sql;

/**
 * Drops NOT NULL. A NULL written after cut-over cannot be carried back to the archived table; the
 * plan warns, and such a row makes rollback unavailable rather than lossy.
 */
final class DropNotNullOp implements ChangeOp {
  private final String column;

  DropNotNullOp(Change.DropNotNull spec) {
    this.column = spec.column();
  }

  @Override
  public String describe() {
    return "dropNotNull " + column;
  }

  @Override
  public void apply(ShadowDesign d) {
    ShadowDesign.Column c = d.requireColumn(describe(), column);
    if (d.isKey(c)) {
      throw new IllegalArgumentException(describe() + ": primary key columns are always NOT NULL");
    }
    d.ddl("ALTER TABLE " + d.shadowSql() + " ALTER COLUMN " + Sql.ident(column) + " DROP NOT NULL");
    if (d.rollbackRetained() && c.source() != null && c.notNull) {
      d.warn(
          describe()
              + ": a NULL written to "
              + column
              + " after cut-over cannot be copied back to the archived table, where the column is NOT NULL;"
              + " such a row makes rollback unavailable");
    }
    c.notNull = false;
  }
}
