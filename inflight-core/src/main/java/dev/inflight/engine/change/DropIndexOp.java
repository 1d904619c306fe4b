package dev.inflight.engine.change;

import dev.inflight.api.Change;
import dev.inflight.engine.sql.Sql;

/**
 * Leaves an index out of the new table. The archived table keeps it, so a rollback has it back
 * under its own name.
 */
final class DropIndexOp implements ChangeOp {
  private final String name;

  DropIndexOp(Change.DropIndex spec) {
    this.name = spec.name();
  }

  @Override
  public String describe() {
    return "dropIndex " + name;
  }

  @Override
  public void apply(ShadowDesign d) {
    ShadowDesign.Index index =
        d.index(name)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        describe()
                            + ": no index named "
                            + name
                            + " on "
                            + d.table().schema()
                            + "."
                            + d.table().name()
                            + " (indexes: "
                            + String.join(
                                ", ",
                                d.indexes().stream().map(ShadowDesign.Index::finalName).toList())
                            + ")"));
    if (index.source() != null && index.source().primary()) {
      throw new IllegalArgumentException(describe() + ": the primary key index cannot be dropped");
    }
    if (index.source() != null
        && d.table().keyIndex().map(k -> k.name().equals(name)).orElse(false)) {
      throw new IllegalArgumentException(
          describe()
              + ": the table has no primary key and this index identifies its rows; it cannot be dropped");
    }
    if (index.source() != null && index.source().backsConstraint()) {
      d.dryRunDdl(
          "ALTER TABLE " + d.shadowSql() + " DROP CONSTRAINT " + Sql.ident(index.shadowName()));
    } else {
      d.dryRunDdl("DROP INDEX " + Sql.qualified(d.table().schema(), index.shadowName()));
    }
    d.removeIndex(index);
  }
}
