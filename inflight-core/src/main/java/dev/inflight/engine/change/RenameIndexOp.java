package dev.inflight.engine.change;

import dev.inflight.api.Change;
import dev.inflight.engine.sql.SqlExpressions;

/**
 * Gives an index (and the constraint it backs) another name on the new table. The archived table
 * keeps the old name, so a rollback has it back.
 */
final class RenameIndexOp implements ChangeOp {
  private final String from;
  private final String to;

  RenameIndexOp(Change.RenameIndex spec) {
    this.from = spec.from();
    this.to = SqlExpressions.newName("renameIndex.to", spec.to());
  }

  @Override
  public String describe() {
    return "renameIndex " + from + " to " + to;
  }

  @Override
  public void apply(ShadowDesign d) {
    ShadowDesign.Index index =
        d.index(from)
            .orElseThrow(
                () -> new IllegalArgumentException(describe() + ": no index named " + from));
    d.requireNoIndex(describe(), to);
    d.removeIndex(index);
    d.addIndex(new ShadowDesign.Index(to, index.shadowName(), index.source()));
  }
}
