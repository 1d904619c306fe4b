package dev.inflight.engine.change;

import dev.inflight.api.Change;
import dev.inflight.engine.catalog.CatalogReader;
import dev.inflight.engine.catalog.TableRef;
import dev.inflight.engine.sql.Sql;
import dev.inflight.engine.sql.SqlExpressions;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

/**
 * Adds a foreign key to another table. Planning checks it against a copy of the referenced table
 * (types, a unique key there); before the swap the copied rows are checked for orphans, so a
 * violation stops the migration rather than the validation after it; the swap attaches the key NOT
 * VALID (no scan under the lock) and it is validated right after. Until the swap it is not
 * enforced, because enforcing it on the shadow could fail the application's own deletes against
 * rows the replay has not caught up with. Rollback: the key goes with the new table.
 */
final class AddForeignKeyOp implements ChangeOp {
  private final String name;
  private final List<String> columns;
  private final String parent;
  private final List<String> parentColumns;
  private final String onDelete;
  private final String onUpdate;

  AddForeignKeyOp(Change.AddForeignKey spec) {
    this.name = SqlExpressions.newName("addForeignKey.name", spec.name());
    this.columns = List.copyOf(spec.columns());
    this.parent = spec.references().table();
    this.parentColumns = List.copyOf(spec.references().columns());
    this.onDelete = spec.onDelete() == null ? null : spec.onDelete().toUpperCase(Locale.ROOT);
    this.onUpdate = spec.onUpdate() == null ? null : spec.onUpdate().toUpperCase(Locale.ROOT);
  }

  @Override
  public String describe() {
    return "addForeignKey " + name;
  }

  @Override
  public void apply(ShadowDesign d) throws SQLException {
    for (String c : columns) {
      d.requireColumn(describe(), c);
    }
    TableRef ref = new CatalogReader(d.connection()).resolve(parent);
    String parentPrinted = printed(d, ref);
    boolean self = ref.oid() == d.table().oid();
    String target = self ? d.shadowSql() : d.scratchParent(parentPrinted);
    String actions =
        (onDelete == null ? "" : " ON DELETE " + onDelete)
            + (onUpdate == null ? "" : " ON UPDATE " + onUpdate);
    d.dryRunDdl(
        "ALTER TABLE "
            + d.shadowSql()
            + " ADD CONSTRAINT "
            + Sql.ident(name)
            + " FOREIGN KEY ("
            + Sql.idents(columns)
            + ") REFERENCES "
            + target
            + " ("
            + Sql.idents(parentColumns)
            + ")"
            + actions
            + " NOT VALID");
    if (!self) {
      String notNull =
          String.join(
              " AND ", columns.stream().map(c -> "c." + Sql.ident(c) + " IS NOT NULL").toList());
      String match = Sql.joinOn("p", parentColumns, "c", columns);
      // Identifiers only, no values: the check is a fixed statement.
      d.preSwapCheck(
          "DO "
              + dollar(
                  "BEGIN IF EXISTS (SELECT 1 FROM "
                      + d.shadowSql()
                      + " AS c WHERE "
                      + notNull
                      + " AND NOT EXISTS (SELECT 1 FROM "
                      + ref.sql()
                      + " AS p WHERE "
                      + match
                      + ")) THEN"
                      + " RAISE EXCEPTION 'foreign key %: rows reference no row of %', "
                      + Sql.literal(name)
                      + ", "
                      + Sql.literal(parentPrinted)
                      + " USING ERRCODE = 'foreign_key_violation'; END IF; END"));
    }
  }

  private static String printed(ShadowDesign d, TableRef ref) throws SQLException {
    try (PreparedStatement ps =
        d.connection().prepareStatement("SELECT quote_ident(?) || '.' || quote_ident(?)")) {
      ps.setString(1, ref.schema());
      ps.setString(2, ref.name());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  private static String dollar(String body) {
    String tag = "$chk$";
    for (int i = 1; body.contains(tag); i++) {
      tag = "$chk" + i + "$";
    }
    return tag + body + tag;
  }
}
