package dev.inflight.engine.plan;

import dev.inflight.engine.PlanRejectedException;
import dev.inflight.engine.catalog.CatalogReader;
import dev.inflight.engine.catalog.IndexInfo;
import dev.inflight.engine.catalog.PropertyReader;
import dev.inflight.engine.catalog.TableInfo;
import dev.inflight.engine.catalog.TableProperties;
import dev.inflight.engine.catalog.TableRef;
import dev.inflight.engine.catalog.TableSnapshot;
import dev.inflight.engine.sql.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The table to migrate as planning read it, with what is carried along with it and the names of
 * everything the migration creates around it.
 *
 * @param printed the table as PostgreSQL prints it in definitions ({@code public.users})
 * @param shadowPrinted the shadow the same way
 * @param snapshot the table's {@link TableSnapshot}
 */
record Original(
    TableRef ref,
    TableInfo info,
    TableProperties properties,
    Names names,
    Carryover carry,
    String printed,
    String shadowPrinted,
    Map<String, List<String>> snapshot,
    List<PartitionPlan> partitions) {

  /**
   * Reads the table, or refuses it when it cannot be migrated.
   *
   * @param built the shadow as the migration built it, when the swap is planned again; else null
   */
  static Original read(Connection conn, String table, BuiltShadow built) throws SQLException {
    CatalogReader catalog = new CatalogReader(conn);
    TableRef ref = catalog.resolve(table);
    TableInfo info = catalog.read(ref);
    CatalogChecks.refuseUnsupported(conn, info);
    CatalogChecks.refuseSubscriptionTarget(conn, info);
    CatalogChecks.refuseNotValidDomainConstraints(conn, info);
    CatalogChecks.refuseRowTypeUsers(conn, info);
    Names names = new Names(info.schema(), info.name());
    CatalogChecks.requireFree(conn, info.schema(), names.shadow(), "the shadow table");
    CatalogChecks.requireFree(conn, info.schema(), names.archived(), "the archived table");
    TableProperties properties = new PropertyReader(conn).read(info.oid());
    String printed = CatalogChecks.printed(conn, info.schema(), info.name());
    String shadowPrinted = CatalogChecks.printed(conn, info.schema(), names.shadow());
    Carryover carry = new Carryover(properties, names, info, built, printed, shadowPrinted);
    Map<String, List<String>> snapshot = TableSnapshot.read(conn, info.oid(), line -> line);
    if (!carry.refusals().isEmpty()) {
      throw new PlanRejectedException(
          carry.refusals().stream()
              .map(reason -> info.schema() + "." + info.name() + ": " + reason)
              .toList());
    }
    List<PartitionPlan> partitions =
        info.partitions().isPresent() ? PartitionPlan.of(conn, info.partitions().get()) : List.of();
    return new Original(
        ref, info, properties, names, carry, printed, shadowPrinted, snapshot, partitions);
  }

  /** The part of the plan that records the table as planned. */
  SourceTable asPlanned() {
    List<String> indexes = info.indexes().stream().map(IndexInfo::name).toList();
    return new SourceTable(
        info.schema(),
        info.name(),
        info.fingerprint(),
        indexes,
        indexes.stream().map(names::archivedIndex).toList(),
        snapshot,
        partitions);
  }

  /** Whether the table is partitioned, and so is its shadow. */
  boolean partitioned() {
    return "p".equals(info.kind());
  }

  /**
   * Every relation that holds or routes the table's rows, quoted for SQL: the table, then its
   * partitions.
   */
  List<String> relations() {
    List<String> out = new ArrayList<>(List.of(table()));
    partitions.forEach(p -> out.add(p.sql()));
    return out;
  }

  String schema() {
    return info.schema();
  }

  /** The table, quoted for SQL. */
  String table() {
    return ref.sql();
  }

  String shadow() {
    return Sql.qualified(info.schema(), names.shadow());
  }

  String archived() {
    return Sql.qualified(info.schema(), names.archived());
  }

  String log() {
    return Sql.qualified(Names.LEDGER_SCHEMA, names.log());
  }

  String reverseLog() {
    return Sql.qualified(Names.LEDGER_SCHEMA, names.reverseLog());
  }

  String captureFunction() {
    return Sql.qualified(Names.LEDGER_SCHEMA, names.captureFunction());
  }

  String reverseCaptureFunction() {
    return Sql.qualified(Names.LEDGER_SCHEMA, names.reverseCaptureFunction());
  }
}
