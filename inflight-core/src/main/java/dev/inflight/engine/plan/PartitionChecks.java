package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.PartitionLocals;
import dev.inflight.engine.catalog.PartitionTree;
import dev.inflight.engine.catalog.PartitionTree.Partition;
import dev.inflight.engine.catalog.TableInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Why a partitioned table, a partition or a table in an inheritance tree cannot be migrated, one
 * reason per thing to fix. A partitioned table's reasons describe its tree first, so that a person
 * reading the refusal sees what Planning saw.
 */
final class PartitionChecks {
  /** The deepest level a tree may have: its partitions' own partitions. */
  static final int DEEPEST_LEVEL = 2;

  private PartitionChecks() {}

  static List<String> reasons(Connection conn, TableInfo t) throws SQLException {
    String name = t.schema() + "." + t.name();
    List<String> reasons = new ArrayList<>();
    if (t.lineage().partitionOf() != null) {
      reasons.add(
          name
              + " is a partition of "
              + t.lineage().partitionOf()
              + "; a partition cannot be swapped out of its tree on its own: name the partitioned"
              + " table, "
              + t.lineage().partitionOf()
              + ", in the migration");
    }
    if (!t.lineage().inheritsFrom().isEmpty()) {
      reasons.add(
          name
              + " inherits from "
              + String.join(", ", t.lineage().inheritsFrom())
              + " (table inheritance, INHERITS), whose queries read its rows; a swap would leave"
              + " the new table outside that inheritance, so table inheritance is not supported");
    }
    if (!t.lineage().inheritedBy().isEmpty()) {
      reasons.add(
          name
              + " is inherited by "
              + String.join(", ", t.lineage().inheritedBy())
              + " (table inheritance, INHERITS): its queries read their rows too, and a copy would"
              + " gather them into one table, so table inheritance is not supported; declarative"
              + " partitioning is the way to split a table");
    }
    if (t.partitions().isPresent()) {
      reasons.addAll(treeReasons(conn, name, t.partitions().get()));
    }
    return reasons;
  }

  private static List<String> treeReasons(Connection conn, String name, PartitionTree tree)
      throws SQLException {
    List<String> reasons = new ArrayList<>();
    for (Partition p : tree.relations()) {
      if (p.foreignServer() != null) {
        reasons.add(
            name
                + ": partition "
                + p.qualified()
                + " is a foreign table (server "
                + p.foreignServer()
                + "); its rows live on another server and can be neither copied nor captured");
      }
      if (p.partitioned() && p.level() == 1) {
        reasons.add(
            name
                + ": partition "
                + p.qualified()
                + " is partitioned too ("
                + p.partitionKey()
                + "); migrating a sub-partitioned table is not supported yet");
      }
      if (p.partitioned() && p.level() >= DEEPEST_LEVEL) {
        reasons.add(
            name
                + ": partition "
                + p.qualified()
                + " is partitioned too, at level "
                + p.level()
                + " ("
                + p.partitionKey()
                + "); at most one level of sub-partitioning is supported");
      }
      if (p.keyExpressions()) {
        reasons.add(
            name
                + ": "
                + (p.level() == 0 ? "the table" : "partition " + p.qualified())
                + " is partitioned by an expression ("
                + p.partitionKey()
                + "); only partition keys of plain columns are supported");
      }
      if (p.detachPending()) {
        reasons.add(
            name
                + ": partition "
                + p.qualified()
                + " is half detached (an interrupted DETACH PARTITION ... CONCURRENTLY); finish it"
                + " first with ALTER TABLE "
                + p.parent()
                + " DETACH PARTITION "
                + p.qualified()
                + " FINALIZE");
      }
    }
    LockBudget budget = LockBudget.read(conn, tree);
    if (!budget.fits()) {
      reasons.add(name + ": " + budget.refusal());
    }
    for (String object : PartitionLocals.objects(conn, tree)) {
      reasons.add(
          name
              + ": partition "
              + object
              + "; objects of a single partition are not carried to the new table yet: create it"
              + " on the partitioned table instead, or drop it for the migration");
    }
    reasons.addAll(constraintReasons(conn, name, tree.root().oid()));
    if (!reasons.isEmpty()) {
      reasons.add(describe(name, tree));
    }
    return reasons;
  }

  /** Constraints of the table itself that a partitioned new table cannot take yet. */
  private static List<String> constraintReasons(Connection conn, String name, long root)
      throws SQLException {
    List<String> reasons = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT conname, contype::text, pg_get_constraintdef(oid) FROM pg_constraint"
                + " WHERE conrelid = ? AND contype IN ('f', 'x') ORDER BY conname")) {
      ps.setLong(1, root);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          reasons.add(
              name
                  + ": "
                  + ("f".equals(rs.getString(2)) ? "foreign key " : "exclusion constraint ")
                  + rs.getString(1)
                  + " ("
                  + rs.getString(3)
                  + ") is on a partitioned table, where "
                  + ("f".equals(rs.getString(2))
                      ? "the swap cannot add it NOT VALID before PostgreSQL 18"
                      : "it spans partitions")
                  + "; migrating a partitioned table with one is not supported yet");
        }
      }
    }
    return reasons;
  }

  /**
   * The tree in one line: its key, how many partitions, which is the default, the rows. {@code
   * public.events is partitioned by RANGE (at) into 3 partitions (events_2024, events_2025,
   * events_default: DEFAULT), about 1200 rows}.
   */
  static String describe(String name, PartitionTree tree) {
    List<Partition> partitions = tree.partitions();
    long rows = tree.leaves().stream().mapToLong(Partition::estimatedRows).sum();
    long sub = tree.relations().stream().filter(p -> p.level() >= DEEPEST_LEVEL).count();
    String listed =
        partitions.stream()
            .limit(8)
            .map(
                p ->
                    p.name()
                        + (p.isDefault()
                            ? ": DEFAULT"
                            : p.partitioned() ? ": " + p.partitionKey() : ""))
            .collect(Collectors.joining(", "));
    if (partitions.size() > 8) {
      listed += " and " + (partitions.size() - 8) + " more";
    }
    return name
        + " is partitioned by "
        + tree.root().partitionKey()
        + " into "
        + partitions.size()
        + (partitions.size() == 1 ? " partition" : " partitions")
        + (partitions.isEmpty() ? "" : " (" + listed + ")")
        + (sub == 0 ? "" : ", with " + sub + " sub-partitions")
        + ", about "
        + rows
        + " rows";
  }

  /**
   * Whether a swap of the tree fits in the server's lock table. A swap locks every relation and
   * index of the original tree and of the new one in one transaction, and each lock takes a slot of
   * the shared lock table, whose size is {@code max_locks_per_transaction × (max_connections +
   * max_prepared_transactions)}. A swap that needs more than a quarter of it would fail with "out
   * of shared memory" or starve the application's own locks, so it is refused with the setting to
   * raise.
   */
  record LockBudget(
      int relations,
      int indexes,
      int toastTables,
      int maxLocksPerTransaction,
      int maxConnections,
      int maxPreparedTransactions) {

    /** The locks a swap of the tree takes: each relation and index, in both trees. */
    long needed() {
      return 2L * (relations + indexes + toastTables);
    }

    long lockTable() {
      return (long) maxLocksPerTransaction * (maxConnections + maxPreparedTransactions);
    }

    boolean fits() {
      return needed() * 4 <= lockTable();
    }

    /** The smallest max_locks_per_transaction with which the swap takes at most a quarter. */
    long neededMaxLocks() {
      long slots = maxConnections + maxPreparedTransactions;
      return (needed() * 4 + slots - 1) / slots;
    }

    String refusal() {
      return "a swap of this tree takes about "
          + needed()
          + " locks (2 x ("
          + relations
          + " relations + "
          + indexes
          + " indexes + "
          + toastTables
          + " TOAST tables)), more than a quarter of the server's lock table"
          + " (max_locks_per_transaction "
          + maxLocksPerTransaction
          + " x (max_connections "
          + maxConnections
          + " + max_prepared_transactions "
          + maxPreparedTransactions
          + ") = "
          + lockTable()
          + "); raise max_locks_per_transaction to at least "
          + neededMaxLocks()
          + " (a restart is needed)";
    }

    static LockBudget read(Connection conn, PartitionTree tree) throws SQLException {
      try (PreparedStatement ps =
          conn.prepareStatement(
              "SELECT (SELECT count(*) FROM pg_index i WHERE i.indrelid = ANY (?)),"
                  + " (SELECT count(*) FROM pg_class c WHERE c.oid = ANY (?) AND c.reltoastrelid <> 0),"
                  + " current_setting('max_locks_per_transaction')::int,"
                  + " current_setting('max_connections')::int,"
                  + " current_setting('max_prepared_transactions')::int")) {
        Long[] oids = tree.oids().toArray(Long[]::new);
        ps.setArray(1, conn.createArrayOf("oid", oids));
        ps.setArray(2, conn.createArrayOf("oid", oids));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return new LockBudget(
              tree.relations().size(),
              rs.getInt(1),
              rs.getInt(2),
              rs.getInt(3),
              rs.getInt(4),
              rs.getInt(5));
        }
      }
    }
  }
}
