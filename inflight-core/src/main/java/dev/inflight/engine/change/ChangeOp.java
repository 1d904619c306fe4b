package dev.inflight.engine.change;

import java.sql.SQLException;

/**
 * One change operation. The constructor checks what needs no database (names, expression shape);
 * {@link #apply} checks the operation against the table as the earlier changes left it, then
 * records its effects on the design: the DDL for the shadow table, how column values map forward
 * (the copy) and backward (the rollback), and the indexes the new table will have.
 *
 * <p>Every operation is undone by the rollback swap, which returns the original table untouched;
 * {@link #apply} must make the backward mapping complete or refuse the plan when rollback is
 * retained and rows written after cut-over could not be carried back.
 */
public interface ChangeOp {
  /** A short description for messages, e.g. {@code alterColumnType flag boolean}. */
  String describe();

  /** Validates against the design and records the operation's effects on it. */
  void apply(ShadowDesign design) throws SQLException;
}
