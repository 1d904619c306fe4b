package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.TableInfo;
import dev.inflight.engine.sql.Sql;
import java.util.ArrayList;
import java.util.List;

/**
 * The two swap transactions. The cut-over renames the original to the archived name and the shadow
 * to the original's, with their indexes and sequences, and carries what depends on the table; the
 * rollback does the same backwards and drops the new table.
 */
final class SwapPlanner {
  private SwapPlanner() {}

  static Swaps plan(
      Original original, DesignedShadow designed, SourceTable source, ShadowIndexes indexes) {
    Carryover carry = original.carry();
    return new Swaps(
        carry.locksFirst(),
        carry.otherTables(),
        cutover(original, designed, source, indexes),
        rollback(original, designed, source, indexes));
  }

  private static Swap cutover(
      Original original, DesignedShadow designed, SourceTable source, ShadowIndexes indexes) {
    TableInfo info = original.info();
    String table = original.table();
    List<String> out =
        new ArrayList<>(
            ReplaySql.dropCapture(
                original.relations(),
                original.log(),
                original.captureFunction(),
                Names::captureTrigger));
    out.addAll(designed.laterChecks());
    out.add("ALTER TABLE " + table + " RENAME TO " + Sql.ident(original.names().archived()));
    for (int i = 0; i < source.indexes().size(); i++) {
      out.add(
          ShadowIndexes.rename(
              info.schema(), source.indexes().get(i), source.archivedIndexes().get(i)));
    }
    for (PartitionPlan p : original.partitions()) {
      out.add("ALTER TABLE " + p.sql() + " RENAME TO " + Sql.ident(p.archivedName()));
      for (String index : p.indexes().values()) {
        out.add(ShadowIndexes.rename(p.schema(), index, Names.suffixed(index, Names.OLD)));
      }
    }
    out.addAll(ShadowStatements.identitySequencesToNew(info, designed.design(), original.names()));
    out.add("ALTER TABLE " + original.shadow() + " RENAME TO " + Sql.ident(info.name()));
    out.addAll(indexes.finalRenames());
    for (PartitionPlan p : original.partitions()) {
      out.add("ALTER TABLE " + p.shadowSql() + " RENAME TO " + Sql.ident(p.name()));
    }
    for (TableInfo.OwnedSequence seq : ownedSequences(info)) {
      designed.design().columns().values().stream()
          .filter(c -> seq.column().equals(c.source()))
          .findFirst()
          .ifPresent(c -> out.add(ownedBy(seq, table, c.name())));
    }
    out.addAll(original.carry().swap(Direction.FORWARD));
    return new Swap(
        "LOCK TABLE " + table + ", " + original.shadow() + " IN ACCESS EXCLUSIVE MODE",
        List.copyOf(out),
        original.carry().validateAfter(Direction.FORWARD));
  }

  private static Swap rollback(
      Original original, DesignedShadow designed, SourceTable source, ShadowIndexes indexes) {
    TableInfo info = original.info();
    String table = original.table();
    List<String> out =
        new ArrayList<>(
            ReplaySql.dropCapture(
                original.relations(),
                original.reverseLog(),
                original.reverseCaptureFunction(),
                Names::reverseTrigger));
    out.add("ALTER TABLE " + table + " RENAME TO " + Sql.ident(original.names().shadow()));
    out.addAll(indexes.shadowRenames());
    for (PartitionPlan p : original.partitions()) {
      out.add("ALTER TABLE " + p.sql() + " RENAME TO " + Sql.ident(p.shadowName()));
    }
    out.addAll(ShadowStatements.identitySequencesToOld(info, designed.design(), original.names()));
    out.add("ALTER TABLE " + original.archived() + " RENAME TO " + Sql.ident(info.name()));
    for (int i = 0; i < source.indexes().size(); i++) {
      out.add(
          ShadowIndexes.rename(
              info.schema(), source.archivedIndexes().get(i), source.indexes().get(i)));
    }
    for (PartitionPlan p : original.partitions()) {
      out.add("ALTER TABLE " + p.archivedSql() + " RENAME TO " + Sql.ident(p.name()));
      for (String index : p.indexes().values()) {
        out.add(ShadowIndexes.rename(p.schema(), Names.suffixed(index, Names.OLD), index));
      }
    }
    for (TableInfo.OwnedSequence seq : ownedSequences(info)) {
      out.add(ownedBy(seq, table, seq.column()));
    }
    out.addAll(original.carry().swap(Direction.BACK));
    out.add("DROP TABLE " + original.shadow());
    return new Swap(
        "LOCK TABLE " + table + ", " + original.archived() + " IN ACCESS EXCLUSIVE MODE",
        List.copyOf(out),
        original.carry().validateAfter(Direction.BACK));
  }

  /** Sequences of serial columns; identity sequences are swapped by name instead. */
  private static List<TableInfo.OwnedSequence> ownedSequences(TableInfo info) {
    return info.ownedSequences().stream().filter(seq -> !seq.identity()).toList();
  }

  private static String ownedBy(TableInfo.OwnedSequence seq, String table, String column) {
    return "ALTER SEQUENCE "
        + Sql.qualified(seq.schema(), seq.name())
        + " OWNED BY "
        + table
        + "."
        + Sql.ident(column);
  }
}
