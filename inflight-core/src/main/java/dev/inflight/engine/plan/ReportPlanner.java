package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.TableInfo;
import dev.inflight.engine.sql.Sql;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The table's size and the warnings a person should read before approving the plan. */
final class ReportPlanner {
  private ReportPlanner() {}

  static Report plan(
      Original original,
      DesignedShadow designed,
      ShadowIndexes indexes,
      boolean retained,
      DryRun dry)
      throws SQLException {
    TableInfo source = original.info();
    List<String> warnings = new ArrayList<>(designed.design().warnings());
    warnings.addAll(original.carry().warnings());
    for (String index : indexes.dropped()) {
      warnings.add("index " + index + " is dropped because a column it uses is dropped");
    }
    if (designed.columnListChanges(source)) {
      warnings.add(
          "the column list changes: a prepared SELECT * or RETURNING * fails once per connection after the swap"
              + " with \"cached plan must not change result type\"; with pgjdbc set autosave=conservative,"
              + " or name the columns");
    }
    if (!retained) {
      warnings.add("rollback.retainFor is 0: the original table is dropped right after cut-over");
    }
    // PostgreSQL does not report free disk space through SQL; say what the copy needs.
    warnings.add(
        "the copy needs about "
            + Planner.humanBytes(source.totalBytes())
            + " of free disk in the table's tablespace (the table and its indexes once more),"
            + (retained ? " kept until the migration is finalized" : " until the cut-over"));
    return new Report(
        dry.estimatedRows(Sql.qualified(source.schema(), source.name())),
        source.totalBytes(),
        List.copyOf(warnings));
  }
}
