package dev.inflight.engine.change;

import dev.inflight.api.Change;
import dev.inflight.engine.sql.Sql;
import dev.inflight.engine.sql.SqlExpressions;
import java.util.List;

/**
 * Adds a unique constraint: the index is built after the copy, then attached as the constraint, as
 * {@code ADD CONSTRAINT ... UNIQUE USING INDEX} does; the swap gives both the final name.
 * Duplicates in the data fail the build (after replaying, in case they were in flight), not the
 * application. Rollback: the archived table never had it.
 */
final class AddUniqueOp implements ChangeOp {
  private final String name;
  private final List<String> columns;

  AddUniqueOp(Change.AddUnique spec) {
    this.name = SqlExpressions.newName("addUnique.name", spec.name());
    this.columns = List.copyOf(spec.columns());
  }

  @Override
  public String describe() {
    return "addUnique " + name;
  }

  @Override
  public void apply(ShadowDesign d) {
    d.requireNoIndex(describe(), name);
    for (String c : columns) {
      d.requireColumn(describe(), c);
    }
    String shadowName = d.names().shadowIndex(name);
    if (d.table().partitions().isPresent()) {
      // A partitioned table takes no USING INDEX; the constraint builds its own index.
      d.dryRunDdl(
          "ALTER TABLE "
              + d.shadowSql()
              + " ADD CONSTRAINT "
              + Sql.ident(shadowName)
              + " UNIQUE ("
              + Sql.idents(columns)
              + ")");
      d.addIndex(new ShadowDesign.Index(name, shadowName, null));
      return;
    }
    d.dryRunDdl(
        "CREATE UNIQUE INDEX "
            + Sql.ident(shadowName)
            + " ON "
            + d.shadowSql()
            + " ("
            + Sql.idents(columns)
            + ")");
    d.dryRunDdl(
        "ALTER TABLE "
            + d.shadowSql()
            + " ADD CONSTRAINT "
            + Sql.ident(shadowName)
            + " UNIQUE USING INDEX "
            + Sql.ident(shadowName));
    d.addIndex(new ShadowDesign.Index(name, shadowName, null));
  }
}
