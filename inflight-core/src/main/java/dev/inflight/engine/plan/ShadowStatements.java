package dev.inflight.engine.plan;

import dev.inflight.engine.PlanRejectedException;
import dev.inflight.engine.catalog.ColumnInfo;
import dev.inflight.engine.catalog.IndexInfo;
import dev.inflight.engine.catalog.TableInfo;
import dev.inflight.engine.change.ShadowDesign;
import dev.inflight.engine.sql.Sql;
import java.util.ArrayList;
import java.util.List;

/** Statements that build the shadow from the original table: its base, indexes, sequences. */
final class ShadowStatements {
  private ShadowStatements() {}

  static final String LIKE_OPTIONS =
      "INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE"
          + " INCLUDING COMMENTS INCLUDING COMPRESSION";

  static List<String> baseShadow(TableInfo source, Names names, String s, String h) {
    List<String> out = new ArrayList<>();
    out.add(
        "CREATE TABLE "
            + h
            + " (LIKE "
            + s
            + " "
            + LIKE_OPTIONS
            + ")"
            + source.partitions().map(t -> " PARTITION BY " + t.root().partitionKey()).orElse("")
            + (source.tablespace() == null ? "" : " TABLESPACE " + Sql.ident(source.tablespace())));
    for (TableInfo.OwnedSequence seq : source.ownedSequences()) {
      if (!seq.identity()) {
        continue;
      }
      ColumnInfo c = source.column(seq.column()).orElseThrow();
      out.add(
          "ALTER TABLE "
              + h
              + " ALTER COLUMN "
              + Sql.ident(c.name())
              + " ADD GENERATED "
              + ("a".equals(c.identity()) ? "ALWAYS" : "BY DEFAULT")
              + " AS IDENTITY (SEQUENCE NAME "
              + Sql.qualified(seq.schema(), Names.suffixed(seq.name(), Names.NEW))
              + " "
              + seq.options()
              + ")");
    }
    return out;
  }

  /**
   * The statements with the given tablespace as the default for what they create (null: leave the
   * default), so an index is built where it lived instead of being built and then moved.
   */
  static List<String> inTablespace(List<String> statements, String tablespace) {
    if (tablespace == null) {
      return statements;
    }
    List<String> out = new ArrayList<>();
    out.add("SELECT set_config('default_tablespace', " + Sql.literal(tablespace) + ", true)");
    out.addAll(statements);
    out.add("SELECT set_config('default_tablespace', '', true)");
    return out;
  }

  /**
   * Statements recreating an index (and the constraint it backs) on another table, which is
   * partitioned when {@code partitioned}: there the constraint is added with its definition, since
   * a partitioned table takes no {@code USING INDEX}, and attaches the partitions' equal indexes
   * built before it.
   */
  static List<String> recreate(IndexInfo ix, String name, String table, boolean partitioned) {
    if (partitioned && (ix.primary() || "u".equals(ix.constraintType()))) {
      requireBody(ix);
      return List.of(
          "ALTER TABLE "
              + table
              + " ADD CONSTRAINT "
              + Sql.ident(name)
              + " "
              + ix.constraintDefinition());
    }
    return recreate(ix, name, table);
  }

  /** Statements recreating an index (and the constraint it backs) on another table. */
  static List<String> recreate(IndexInfo ix, String name, String table) {
    requireBody(ix);
    List<String> out = new ArrayList<>();
    if ("x".equals(ix.constraintType())) {
      // An exclusion constraint builds its own index; it has no USING INDEX form.
      out.add(
          "ALTER TABLE "
              + table
              + " ADD CONSTRAINT "
              + Sql.ident(name)
              + " "
              + ix.constraintDefinition());
      return out;
    }
    out.add(
        "CREATE "
            + (ix.unique() ? "UNIQUE " : "")
            + "INDEX "
            + Sql.ident(name)
            + " ON "
            + table
            + " "
            + ix.body());
    if (ix.primary() || "u".equals(ix.constraintType())) {
      String def = ix.constraintDefinition();
      String deferrable =
          def.contains("INITIALLY DEFERRED")
              ? " DEFERRABLE INITIALLY DEFERRED"
              : def.contains("DEFERRABLE") ? " DEFERRABLE" : "";
      out.add(
          "ALTER TABLE "
              + table
              + " ADD CONSTRAINT "
              + Sql.ident(name)
              + (ix.primary() ? " PRIMARY KEY" : " UNIQUE")
              + " USING INDEX "
              + Sql.ident(name)
              + deferrable);
    }
    return out;
  }

  private static void requireBody(IndexInfo ix) {
    if (!ix.body().startsWith("USING ")) {
      throw new PlanRejectedException(
          "cannot read the definition of index " + ix.name() + ": " + ix.definition());
    }
  }

  /**
   * Identity sequences at the cut-over: the new table's own sequence takes over the position and
   * the name.
   */
  static List<String> identitySequencesToNew(TableInfo source, ShadowDesign design, Names names) {
    List<String> out = new ArrayList<>();
    for (TableInfo.OwnedSequence seq : survivingIdentities(source, design)) {
      String schema = seq.schema();
      String oldName = seq.name();
      String newName = Names.suffixed(oldName, Names.NEW);
      out.add(setval(schema, newName, oldName));
      out.add(renameSequence(schema, oldName, names.archivedSequence(oldName)));
      out.add(renameSequence(schema, newName, oldName));
    }
    return out;
  }

  /** The same at the rollback: the archived table's sequence takes them back. */
  static List<String> identitySequencesToOld(TableInfo source, ShadowDesign design, Names names) {
    List<String> out = new ArrayList<>();
    for (TableInfo.OwnedSequence seq : survivingIdentities(source, design)) {
      String schema = seq.schema();
      String oldName = seq.name();
      String archivedName = names.archivedSequence(oldName);
      out.add(setval(schema, archivedName, oldName));
      out.add(renameSequence(schema, oldName, Names.suffixed(oldName, Names.NEW)));
      out.add(renameSequence(schema, archivedName, oldName));
    }
    return out;
  }

  /** Identity sequences whose column the changes keep. */
  private static List<TableInfo.OwnedSequence> survivingIdentities(
      TableInfo source, ShadowDesign design) {
    return source.ownedSequences().stream()
        .filter(TableInfo.OwnedSequence::identity)
        .filter(
            seq ->
                design.columns().values().stream().anyMatch(c -> seq.column().equals(c.source())))
        .toList();
  }

  /** Moves {@code target} to the position of {@code from}. */
  private static String setval(String schema, String target, String from) {
    return "SELECT setval("
        + Sql.literal(Sql.qualified(schema, target))
        + "::regclass, s.last_value, s.is_called)"
        + " FROM "
        + Sql.qualified(schema, from)
        + " AS s";
  }

  private static String renameSequence(String schema, String from, String to) {
    return "ALTER SEQUENCE " + Sql.qualified(schema, from) + " RENAME TO " + Sql.ident(to);
  }
}
