package dev.inflight.engine.plan;

import dev.inflight.engine.PlanRejectedException;
import dev.inflight.engine.catalog.CatalogReader;
import dev.inflight.engine.catalog.IndexInfo;
import dev.inflight.engine.catalog.PropertyReader;
import dev.inflight.engine.catalog.TableInfo;
import dev.inflight.engine.catalog.TableRef;
import dev.inflight.engine.change.ChangeOp;
import dev.inflight.engine.change.ShadowDesign;
import dev.inflight.engine.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds the shadow in the planning transaction, as the real one will be built, and applies the
 * changes to it: PostgreSQL checks every type, expression and name, and the carried definitions
 * (foreign keys, policies, triggers) follow renames or refuse drops that would break them.
 */
final class ShadowDryRun {
  private final Connection conn;
  private final Original original;
  private final DryRun dry;

  private List<String> notValid = List.of();

  private ShadowDryRun(Connection conn, Original original, DryRun dry) {
    this.conn = conn;
    this.original = original;
    this.dry = dry;
  }

  static DesignedShadow run(
      Connection conn, Original original, List<ChangeOp> ops, boolean retained, DryRun dry)
      throws SQLException {
    ShadowDryRun run = new ShadowDryRun(conn, original, dry);
    List<String> base = run.createLikeOriginal();
    ShadowDesign design = run.applyChanges(ops, retained);
    List<String> partitions = ShadowPartitions.statements(conn, original);
    for (String sql : partitions) {
      dry.run("create the shadow's partitions", sql);
    }
    List<String> ownership = run.copyOwnership();
    return run.readBack(design, base, partitions, ownership);
  }

  /** The table, its storage settings, the original's indexes and column-naming objects. */
  private List<String> createLikeOriginal() throws SQLException {
    TableInfo source = original.info();
    String shadow = original.shadow();
    List<String> base =
        ShadowStatements.baseShadow(source, original.names(), original.table(), shadow);
    for (String sql : base) {
      dry.run("create the shadow table", sql);
    }
    // LIKE copies a NOT VALID check as a validated one, which the original's legacy rows would
    // fail during the copy. The shadow goes without it until the swap adds it back NOT VALID;
    // here it is added back at once, so the changes and the catalog see it.
    List<String> checks = new ArrayList<>();
    for (String[] check : notValidChecks(source.oid())) {
      String drop = "ALTER TABLE " + shadow + " DROP CONSTRAINT " + Sql.ident(check[0]);
      base.add(drop);
      dry.run("leave NOT VALID check " + check[0] + " out of the copy", drop);
      dry.run(
          "copy NOT VALID check " + check[0],
          "ALTER TABLE " + shadow + " ADD CONSTRAINT " + Sql.ident(check[0]) + " " + check[1]);
      checks.add(check[0]);
    }
    notValid = List.copyOf(checks);
    for (String sql : original.carry().shadowSettings()) {
      dry.run("copy storage settings", sql);
    }
    for (IndexInfo index : source.indexes()) {
      String name = original.names().shadowIndex(index.name());
      for (String sql :
          ShadowStatements.inTablespace(
              ShadowStatements.recreate(index, name, shadow, original.partitioned()),
              index.tablespace())) {
        dry.run("copy index " + index.name(), sql);
      }
    }
    for (Carryover.Check check : original.carry().beforeChanges()) {
      dry.run("copy " + check.what(), check.sql());
    }
    return base;
  }

  /** Each change in order, each one's DDL run as soon as it is known, so errors name it. */
  private ShadowDesign applyChanges(List<ChangeOp> ops, boolean retained) throws SQLException {
    ShadowDesign design = new ShadowDesign(original.info(), original.names(), retained, conn);
    int executed = 0;
    for (int i = 0; i < ops.size(); i++) {
      ChangeOp op = ops.get(i);
      design.setLater(ops.subList(i + 1, ops.size()));
      String at = "spec.changes[" + i + "] " + op.describe();
      try {
        op.apply(design);
      } catch (IllegalArgumentException e) {
        throw new PlanRejectedException("spec.changes[" + i + "] " + e.getMessage());
      }
      for (; executed < design.ddl().size(); executed++) {
        ShadowDesign.Ddl ddl = design.ddl().get(executed);
        if (!ddl.executed()) {
          dry.run(at, ddl.sql());
        }
      }
    }
    return design;
  }

  private List<String> copyOwnership() throws SQLException {
    TableInfo source = original.info();
    String shadow = original.shadow();
    List<String> out = new ArrayList<>();
    out.add("ALTER TABLE " + shadow + " OWNER TO " + Sql.ident(source.owner()));
    for (String grant : source.grants()) {
      out.add(grant.replace("{{table}}", shadow));
    }
    if (source.comment() != null) {
      out.add("COMMENT ON TABLE " + shadow + " IS " + Sql.literal(source.comment()));
    }
    for (String sql : out) {
      dry.run("copy ownership and privileges", sql);
    }
    return out;
  }

  /** The NOT VALID check constraints of a table: name and definition (ending NOT VALID). */
  private List<String[]> notValidChecks(long table) throws SQLException {
    List<String[]> out = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                + " WHERE conrelid = ? AND contype = 'c' AND NOT convalidated ORDER BY conname")) {
      ps.setLong(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new String[] {rs.getString(1), rs.getString(2)});
        }
      }
    }
    return out;
  }

  /** The shadow from the catalog; the carried objects take their final definitions from it. */
  private DesignedShadow readBack(
      ShadowDesign design, List<String> base, List<String> partitions, List<String> ownership)
      throws SQLException {
    long oid = CatalogChecks.tableOid(conn, original.shadow());
    TableInfo table =
        new CatalogReader(conn)
            .read(new TableRef(original.schema(), original.names().shadow(), oid));
    List<String> laterChecks = new ArrayList<>();
    for (String[] check : notValidChecks(oid)) {
      if (notValid.contains(check[0])) {
        laterChecks.add(
            "ALTER TABLE "
                + original.shadow()
                + " ADD CONSTRAINT "
                + Sql.ident(check[0])
                + " "
                + check[1]);
      }
    }
    DesignedShadow designed =
        new DesignedShadow(
            design, base, partitions, ownership, List.copyOf(laterChecks), oid, table);
    try {
      original
          .carry()
          .afterChanges(
              new PropertyReader(conn).read(oid),
              designed.finalColumns(),
              design.indexes().stream()
                  .collect(
                      Collectors.toMap(
                          ShadowDesign.Index::shadowName, ShadowDesign.Index::finalName)),
              design.scratchParents());
      for (Carryover.Check check : original.carry().validations()) {
        dry.run(check.what() + " against the new table", check.sql());
      }
    } catch (IllegalArgumentException e) {
      throw new PlanRejectedException(e.getMessage());
    }
    return designed;
  }
}
