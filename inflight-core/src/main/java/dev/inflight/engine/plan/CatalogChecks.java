package dev.inflight.engine.plan;

import dev.inflight.engine.PlanRejectedException;
import dev.inflight.engine.catalog.Dependents;
import dev.inflight.engine.catalog.IndexInfo;
import dev.inflight.engine.catalog.TableInfo;
import dev.inflight.engine.change.ShadowDesign;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Planning's questions to the catalog: can this table and these names be used. */
final class CatalogChecks {
  private CatalogChecks() {}

  static void refuseUnsupported(Connection conn, TableInfo t) throws SQLException {
    List<String> reasons = new ArrayList<>();
    String name = t.schema() + "." + t.name();
    if (Names.LEDGER_SCHEMA.equals(t.schema())) {
      throw new PlanRejectedException(
          name
              + " is Inflight's own state (schema "
              + Names.LEDGER_SCHEMA
              + "), not an application table");
    }
    if (List.of("pg_catalog", "information_schema", "pg_toast").contains(t.schema())) {
      throw new PlanRejectedException(name + " is a system catalog");
    }
    switch (t.kind()) {
      case "r", "p" -> {}
      default -> reasons.add(name + " is not a table (relkind " + t.kind() + ")");
    }
    if ("t".equals(t.persistence())) {
      reasons.add(name + " is a temporary table");
    }
    if (t.primaryKey().isEmpty()) {
      reasons.add(
          name
              + " has no primary key and no unique index on NOT NULL columns; rows cannot be tracked"
              + " without one");
    }
    for (String column : t.primaryKey()) {
      if (Names.LOG_COLUMNS.contains(column)) {
        reasons.add(
            name + "'s key column " + column + " has the name of a change log's own column");
      }
    }
    if (Names.isDerived(t.name())) {
      reasons.add(name + " is a table Inflight created for another migration");
    }
    // Last, so that a partitioned table's refusal ends with its tree as Planning saw it.
    reasons.addAll(PartitionChecks.reasons(conn, t));
    if (!reasons.isEmpty()) {
      throw new PlanRejectedException(reasons);
    }
  }

  /**
   * Objects that use the table's row type depend on the type, which the swap cannot move: after it
   * they would use the archived table's type, and finalize could not drop it.
   */
  static void refuseRowTypeUsers(Connection conn, TableInfo t) throws SQLException {
    List<String> users = Dependents.rowTypeUsers(conn, t.oid());
    if (!users.isEmpty()) {
      throw new PlanRejectedException(
          users.stream()
              .map(
                  user ->
                      t.schema()
                          + "."
                          + t.name()
                          + ": its row type is used by "
                          + user
                          + ", which would keep the archived table's type after the swap (and"
                          + " finalize could not drop it); drop it, or make it name the columns"
                          + " it needs, before migrating")
              .toList());
    }
  }

  /** What a type is, as a refusal names it: a domain by name, an array, or the type itself. */
  private static final String TYPE_STEP =
      "(SELECT CASE WHEN t.typtype = 'd' THEN 'domain ' || format('%I.%I', n.nspname, t.typname)"
          + " WHEN t.typcategory = 'A' AND t.typelem <> 0 THEN 'an array'"
          + " ELSE format_type(t.oid, NULL) END"
          + " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = {{type}})";

  /**
   * Every domain constraint a column's values are checked against (its type a domain, a domain over
   * a domain, an array of one...) that is NOT VALID: rows from before it was added may break it,
   * and the copy into the new table, which checks it, would fail on them mid-migration.
   */
  static void refuseNotValidDomainConstraints(Connection conn, TableInfo t) throws SQLException {
    String sql =
        "WITH RECURSIVE walk(attnum, attname, typ, path, depth) AS ("
            + " SELECT a.attnum, a.attname, a.atttypid, ARRAY["
            + TYPE_STEP.replace("{{type}}", "a.atttypid")
            + "], 0 FROM pg_attribute a WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped"
            + " UNION ALL SELECT w.attnum, w.attname, step.next, w.path || "
            + TYPE_STEP.replace("{{type}}", "step.next")
            + ", w.depth + 1 FROM walk w JOIN pg_type t ON t.oid = w.typ"
            + " CROSS JOIN LATERAL (SELECT CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.typelem END"
            + "   AS next) step WHERE (t.typtype = 'd' OR (t.typcategory = 'A' AND t.typelem <> 0))"
            + "   AND w.depth < 20)"
            + " SELECT w.attname, w.path, k.conname FROM walk w"
            + " JOIN pg_constraint k ON k.contypid = w.typ AND NOT k.convalidated"
            + " ORDER BY w.attnum, w.depth, k.conname";
    List<String> reasons = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      ps.setLong(1, t.oid());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          reasons.add(
              t.schema()
                  + "."
                  + t.name()
                  + ": column "
                  + rs.getString(1)
                  + " is of "
                  + typePath((String[]) rs.getArray(2).getArray())
                  + ", whose constraint "
                  + rs.getString(3)
                  + " is NOT VALID: rows from before it may break it, and the copy into the new"
                  + " table would fail on them; validate it first (ALTER DOMAIN ... VALIDATE"
                  + " CONSTRAINT "
                  + rs.getString(3)
                  + ") once the rows that break it are fixed");
        }
      }
    }
    if (!reasons.isEmpty()) {
      throw new PlanRejectedException(reasons);
    }
  }

  /** {@code domain a, over domain b} or {@code an array of domain a}. */
  private static String typePath(String[] steps) {
    StringBuilder out = new StringBuilder(steps[0]);
    for (int i = 1; i < steps.length; i++) {
      out.append("an array".equals(steps[i - 1]) ? " of " : ", over ").append(steps[i]);
    }
    return out.toString();
  }

  /**
   * A table that a logical-replication subscription writes into cannot be captured: the apply
   * worker fires no statement-level triggers, so every replicated change would be missed.
   */
  static void refuseSubscriptionTarget(Connection conn, TableInfo t) throws SQLException {
    List<String> subscriptions = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT s.subname FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid"
                + " WHERE r.srrelid = ? ORDER BY s.subname")) {
      ps.setLong(1, t.oid());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          subscriptions.add(rs.getString(1));
        }
      }
    }
    if (!subscriptions.isEmpty()) {
      throw new PlanRejectedException(
          t.schema()
              + "."
              + t.name()
              + " is written by logical replication (subscription "
              + String.join(", ", subscriptions)
              + "), whose apply worker fires no statement-level triggers: its changes could not be"
              + " captured. Migrate the table on the publisher, or pause the subscription and"
              + " remove the table from it first");
    }
  }

  static void requireFree(Connection conn, String schema, String name, String what)
      throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname = ?")) {
      ps.setString(1, schema);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          throw new PlanRejectedException(
              schema
                  + "."
                  + name
                  + " ("
                  + what
                  + ") already exists; it may be left from an earlier migration:"
                  + " run cancel (before cut-over) or finalize (after) for it, or drop it");
        }
      }
    }
  }

  /** A new index may not take a name that another relation in the schema has. */
  static void requireIndexNamesFree(Connection conn, TableInfo source, ShadowDesign design)
      throws SQLException {
    List<String> sourceNames = source.indexes().stream().map(IndexInfo::name).toList();
    for (ShadowDesign.Index ix : design.indexes()) {
      if (sourceNames.contains(ix.finalName())) {
        continue;
      }
      try (PreparedStatement ps =
          conn.prepareStatement(
              "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
        ps.setString(1, source.schema());
        ps.setString(2, ix.finalName());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            throw new PlanRejectedException(
                "createIndex "
                    + ix.finalName()
                    + ": a relation named "
                    + ix.finalName()
                    + " already exists in schema "
                    + source.schema());
          }
        }
      }
    }
  }

  /**
   * A relation's name as PostgreSQL prints it in definitions ({@code schema.name}, quoted as
   * needed).
   */
  static String printed(Connection conn, String schema, String name) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("SELECT quote_ident(?) || '.' || quote_ident(?)")) {
      ps.setString(1, schema);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  static String quoteIdent(Connection conn, String name) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT quote_ident(?)")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  static long tableOid(Connection conn, String qualified) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT ?::regclass::oid")) {
      ps.setString(1, qualified);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** True when every one of the table's columns has a default hash operator class. */
  static boolean hashable(Connection conn, long table, List<String> columns) throws SQLException {
    // The record hash hashes what compares equal alike, so it may only see types whose equality is
    // identity (and text under a deterministic collation); other rows are digested as text.
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT count(*) FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
                + " JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END"
                + " LEFT JOIN pg_collation k ON k.oid = a.attcollation"
                + " WHERE a.attrelid = ? AND a.attname = ANY (?)"
                + " AND NOT (b.typname = ANY (?)"
                + "   OR (b.typname IN ('text', 'varchar', 'bpchar') AND coalesce(k.collisdeterministic, true)))")) {
      ps.setLong(1, table);
      ps.setArray(2, conn.createArrayOf("text", columns.toArray()));
      ps.setArray(3, conn.createArrayOf("text", ByteIdentity.CATALOG_NAMES.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1) == 0;
      }
    }
  }
}
