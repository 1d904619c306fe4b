package dev.inflight.engine.change;

import dev.inflight.api.Change;
import dev.inflight.engine.plan.Names;
import dev.inflight.engine.sql.Sql;
import dev.inflight.engine.sql.SqlExpressions;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates an index on the new table. It is built after the copy (secondary indexes slow the copy
 * down), under a temporary name that the cut-over replaces with {@code name}.
 */
final class CreateIndexOp implements ChangeOp {
  private final String name;
  private final List<String> columns;
  private final List<String> expressions;
  private final boolean unique;
  private final String where;
  private final String method;

  CreateIndexOp(Change.CreateIndex spec) {
    this.name = SqlExpressions.newName("createIndex.name", spec.name());
    if (Names.isDerived(name)) {
      // Cut-over renames the original table and its indexes to such names.
      throw new IllegalArgumentException(
          "createIndex "
              + name
              + ": names containing __ifl_new or __ifl_old are reserved for the tables and indexes Inflight creates");
    }
    this.columns = spec.columns() == null ? List.of() : List.copyOf(spec.columns());
    List<String> exprs = new ArrayList<>();
    if (spec.expressions() != null) {
      for (String e : spec.expressions()) {
        exprs.add(SqlExpressions.expression("createIndex " + spec.name() + " expression", e));
      }
    }
    this.expressions = List.copyOf(exprs);
    this.unique = Boolean.TRUE.equals(spec.unique());
    this.where =
        spec.where() == null
            ? null
            : SqlExpressions.expression("createIndex " + spec.name() + " where", spec.where());
    this.method = spec.method() == null ? "btree" : spec.method();
  }

  @Override
  public String describe() {
    return "createIndex " + name;
  }

  @Override
  public void apply(ShadowDesign d) {
    d.requireNoIndex(describe(), name);
    List<String> keys = new ArrayList<>();
    for (String c : columns) {
      d.requireColumn(describe(), c);
      keys.add(Sql.ident(c));
    }
    for (String e : expressions) {
      keys.add("(" + e + ")");
    }
    String shadowName = d.names().shadowIndex(name);
    d.dryRunDdl(
        "CREATE "
            + (unique ? "UNIQUE " : "")
            + "INDEX "
            + Sql.ident(shadowName)
            + " ON "
            + d.shadowSql()
            + " USING "
            + Sql.ident(method)
            + " ("
            + String.join(", ", keys)
            + ")"
            + (where == null ? "" : " WHERE (" + where + ")"));
    d.addIndex(new ShadowDesign.Index(name, shadowName, null));
  }
}
