package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.TableProperties;
import dev.inflight.engine.catalog.TableProperties.ForeignKey;
import dev.inflight.engine.sql.Sql;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What every carried kind works from: the table's properties as planning read them, the names of
 * the three tables, and, once the changes ran on the planning shadow, the shadow's properties and
 * the final name of each original column.
 */
final class CarryScope {
  final TableProperties props;
  final Names names;
  final String tableSql;
  final String shadowSql;
  final String archivedSql;

  /** The table as PostgreSQL prints it in definitions ({@code public.users}). */
  final String tablePrinted;

  /** The shadow the same way. */
  final String shadowPrinted;

  private TableProperties shadowProps;
  private Map<String, String> finalColumn = Map.of();
  private Map<String, String> finalIndex = Map.of();
  private final Map<String, String> scratchParents = new HashMap<>();

  CarryScope(
      TableProperties props,
      Names names,
      String schema,
      String tablePrinted,
      String shadowPrinted) {
    this.props = props;
    this.names = names;
    this.tableSql = Sql.qualified(schema, names.table());
    this.shadowSql = Sql.qualified(schema, names.shadow());
    this.archivedSql = Sql.qualified(schema, names.archived());
    this.tablePrinted = tablePrinted;
    this.shadowPrinted = shadowPrinted;
  }

  void afterChanges(
      TableProperties shadow,
      Map<String, String> finalColumn,
      Map<String, String> finalIndex,
      Map<String, String> more) {
    this.shadowProps = shadow;
    this.finalColumn = finalColumn;
    this.finalIndex = finalIndex;
    this.scratchParents.putAll(more);
  }

  /** The planning shadow's properties after the changes. */
  TableProperties shadowProps() {
    return shadowProps;
  }

  /** Scratch parents of the planning checks, by printed name, with the parent they copy. */
  Map<String, String> scratchParents() {
    return scratchParents;
  }

  /** The final name of an original column, or null when the changes drop it. */
  String finalColumn(String column) {
    return finalColumn.get(column);
  }

  /** The final name of an index of the shadow (by its shadow name), or null when it goes. */
  String finalIndex(String shadowIndex) {
    return finalIndex.get(shadowIndex);
  }

  /** The final names of the columns a foreign key of another table references, quoted. */
  List<String> mapped(List<String> columns, ForeignKey fk) {
    List<String> out = new ArrayList<>();
    for (String c : columns) {
      String to = finalColumn(c);
      if (to == null) {
        throw new IllegalArgumentException(
            "foreign key "
                + fk.name()
                + " of "
                + fk.table()
                + " references column "
                + c
                + ", which the changes drop");
      }
      out.add(Sql.ident(to));
    }
    return out;
  }

  /**
   * A foreign key attached without checking existing rows (validated later, without blocking
   * writes), whatever its definition said about validity.
   */
  static String addNotValid(String table, String name, String definition) {
    return "ALTER TABLE "
        + table
        + " ADD CONSTRAINT "
        + Sql.ident(name)
        + " "
        + Definitions.withoutNotValid(definition)
        + " NOT VALID";
  }

  static void comment(List<String> out, String constraint, String table, String comment) {
    if (comment != null) {
      out.add(
          "COMMENT ON CONSTRAINT "
              + Sql.ident(constraint)
              + " ON "
              + table
              + " IS "
              + Sql.literal(comment));
    }
  }
}
