package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.TableInfo;
import dev.inflight.engine.sql.Sql;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The table's size and the warnings a person should read before approving the plan. */
final class ReportPlanner {
  /** What the common drivers need for a prepared statement whose result type changed. */
  static final String DRIVERS =
      "pgjdbc retries it by itself outside a transaction, and inside one only with"
          + " autosave=conservative in the JDBC URL; psycopg, pgx, node-postgres and pgbench -M"
          + " prepared do not: re-prepare on that error, or use unnamed statements (psycopg"
          + " prepare_threshold=None, pgx QueryExecModeExec).";

  private ReportPlanner() {}

  static Report plan(
      Original original,
      DesignedShadow designed,
      ShadowIndexes indexes,
      boolean retained,
      DryRun dry,
      List<String> throttleWarnings)
      throws SQLException {
    TableInfo source = original.info();
    List<String> warnings = new ArrayList<>(designed.design().warnings());
    warnings.addAll(original.carry().warnings());
    for (String index : indexes.dropped()) {
      warnings.add("index " + index + " is dropped because a column it uses is dropped");
    }
    for (Map.Entry<String, String> column : designed.finalColumns().entrySet()) {
      String before = source.typeOf(column.getKey());
      String after = designed.table().typeOf(column.getValue());
      if (!before.equals(after)) {
        warnings.add(
            "column "
                + column.getValue()
                + " changes type from "
                + before
                + " to "
                + after
                + ": a prepared statement that returns it (SELECT "
                + column.getValue()
                + " ..., RETURNING "
                + column.getValue()
                + ") fails once per connection after the swap with \"cached plan must not change"
                + " result type\", as after ALTER TABLE. "
                + DRIVERS);
      }
    }
    if (designed.columnListChanges(source)) {
      warnings.add(
          "the column list changes: a prepared SELECT * or RETURNING * fails once per connection"
              + " after the swap with \"cached plan must not change result type\". "
              + DRIVERS
              + " Naming the columns avoids it.");
    }
    if (!retained) {
      warnings.add("rollback.retainFor is 0: the original table is dropped right after cut-over");
    }
    warnings.addAll(throttleWarnings);
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
