package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.TableProperties;
import dev.inflight.engine.catalog.TableProperties.DependentView;
import dev.inflight.engine.catalog.TableProperties.ForeignKey;
import dev.inflight.engine.catalog.TableProperties.Policy;
import dev.inflight.engine.catalog.TableProperties.Publication;
import dev.inflight.engine.catalog.TableProperties.Trigger;
import dev.inflight.engine.sql.Sql;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the swap carries besides rows, columns and indexes: storage settings, foreign keys in both
 * directions, dependent views and materialized views, user triggers, row-level security, replica
 * identity and publications; the same statements backwards for a rollback.
 *
 * <p>Objects whose definitions name columns (foreign keys, policies, triggers) are created on the
 * shadow during planning before the changes run, so PostgreSQL itself follows renames and refuses
 * drops that would break them; their final definitions are read back from the shadow. Objects that
 * enforce something against other rows (foreign keys, RLS, triggers) are attached only inside the
 * swap transaction: on the shadow they would make the application's own statements fail against
 * rows the replay has not caught up with yet.
 */
final class Carryover {
  /** A planning statement and what it checks, for refusals. */
  record Check(String what, String sql) {}

  private final TableProperties props;
  private final Names names;
  private final String tableSql;
  private final String shadowSql;
  private final String archivedSql;
  private final String tablePrinted;
  private final String shadowPrinted;
  private TableProperties shadowProps;
  private Map<String, String> finalColumn = Map.of();
  private final Map<String, String> scratchParents = new HashMap<>();
  private final List<String> warnings = new ArrayList<>();
  private final ViewCarry views;

  /**
   * @param tablePrinted the table as PostgreSQL prints it in definitions ({@code public.users})
   * @param shadowPrinted the shadow the same way
   */
  Carryover(
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
    this.views = new ViewCarry(props.views(), names, tablePrinted, shadowPrinted);
  }

  /** Reasons the table cannot be swapped (yet); empty when it can. */
  List<String> refusals() {
    List<String> out = new ArrayList<>();
    for (String rule : props.rules()) {
      out.add("rule " + rule + " is defined on the table; rules are not carried across the swap");
    }
    for (DependentView v : props.views()) {
      if (v.materialized() && !Definitions.mentions(v.definition(), tablePrinted)) {
        out.add(
            "materialized view "
                + v.schema()
                + "."
                + v.name()
                + " depends on the table through another view; only materialized views that read the table"
                + " directly are carried across the swap");
      }
    }
    return out;
  }

  /**
   * Storage parameters and statistics targets of the shadow; before the changes, real and dry run.
   */
  List<String> shadowSettings() {
    List<String> out = new ArrayList<>();
    if (!props.reloptions().isEmpty()) {
      out.add("ALTER TABLE " + shadowSql + " SET (" + String.join(", ", props.reloptions()) + ")");
    }
    if (!props.toastOptions().isEmpty()) {
      out.add(
          "ALTER TABLE "
              + shadowSql
              + " SET ("
              + String.join(", ", props.toastOptions().stream().map(o -> "toast." + o).toList())
              + ")");
    }
    for (String target : props.statisticsTargets()) {
      int eq = target.lastIndexOf('=');
      out.add(
          "ALTER TABLE "
              + shadowSql
              + " ALTER COLUMN "
              + target.substring(0, eq)
              + " SET STATISTICS "
              + target.substring(eq + 1));
    }
    return out;
  }

  /** Planning only, before the changes: the column-naming objects, on the empty shadow. */
  List<Check> beforeChanges() {
    List<Check> out = new ArrayList<>();
    int n = 0;
    for (ForeignKey fk : props.outgoingForeignKeys()) {
      // The key is checked against a copy of its parent (or the shadow itself when the table
      // references itself): adding it to the real parent would lock the parent's writers.
      String target;
      if (fk.referencedTable().equals(tablePrinted)) {
        target = shadowSql;
      } else {
        String scratch = "fkparent_" + (n++);
        target = Sql.qualified(Names.LEDGER_SCHEMA, scratch);
        scratchParents.put(Names.LEDGER_SCHEMA + "." + scratch, fk.referencedTable());
        out.add(
            new Check(
                "foreign key " + fk.name(),
                "CREATE TABLE "
                    + target
                    + " (LIKE "
                    + fk.referencedTable()
                    + " INCLUDING INDEXES)"));
      }
      String def =
          Definitions.replaceOnce(
              Definitions.withoutNotValid(fk.definition()),
              "REFERENCES " + fk.referencedTable() + "(",
              "REFERENCES " + target + "(");
      out.add(new Check("foreign key " + fk.name(), addNotValid(shadowSql, fk.name(), def)));
    }
    for (Policy p : props.policies()) {
      out.add(new Check("policy " + p.name(), createPolicy(p, shadowSql)));
    }
    for (Trigger t : props.triggers()) {
      out.add(
          new Check(
              "trigger " + t.name(),
              Definitions.replaceOnce(
                  t.definition(), " ON " + tablePrinted + " ", " ON " + shadowPrinted + " ")));
      if (!"O".equals(t.enabled())) {
        List<String> state = new ArrayList<>();
        enabled(state, shadowSql, t.name(), t.enabled());
        out.add(new Check("trigger " + t.name(), state.get(0)));
      }
    }
    List<String> identity = new ArrayList<>();
    replicaIdentity(identity, shadowSql, true);
    identity.forEach(sql -> out.add(new Check("replica identity", sql)));
    return out;
  }

  /** Comments of the foreign keys the changes left on the planning shadow. */
  List<String> shadowComments() {
    List<String> out = new ArrayList<>();
    for (ForeignKey fk : shadowProps.outgoingForeignKeys()) {
      comment(out, fk.name(), shadowSql, original(fk.name()));
    }
    return out;
  }

  /** The name of each check view built by {@link #validations}, with the view it stands for. */
  Map<String, DependentView> checkViews() {
    Map<String, DependentView> out = new HashMap<>();
    int n = props.incomingForeignKeys().size();
    for (DependentView v : props.views()) {
      if (Definitions.mentions(v.definition(), tablePrinted)) {
        out.put(Names.LEDGER_SCHEMA + ".viewcheck_" + (n++), v);
      }
    }
    return out;
  }

  /** Scratch parents of the planning checks, by printed name, with the parent they copy. */
  Map<String, String> scratchParents() {
    return scratchParents;
  }

  /** Takes the definitions the changes left on the shadow, and the final name of each column. */
  void afterChanges(
      TableProperties shadow,
      Map<String, String> finalColumn,
      Map<String, String> moreScratchParents) {
    this.shadowProps = shadow;
    this.finalColumn = finalColumn;
    this.scratchParents.putAll(moreScratchParents);
    for (ForeignKey fk : props.outgoingForeignKeys()) {
      if (shadow.outgoingForeignKeys().stream().noneMatch(x -> x.name().equals(fk.name()))) {
        warnings.add(
            "foreign key " + fk.name() + " is dropped because a column it uses is dropped");
      }
    }
    for (Trigger t : props.triggers()) {
      if (shadow.triggers().stream().noneMatch(x -> x.name().equals(t.name()))) {
        warnings.add("trigger " + t.name() + " is dropped because a column it uses is dropped");
      }
    }
    if (!props.allTablesPublications().isEmpty()) {
      warnings.add(
          "publication(s) "
              + String.join(", ", props.allTablesPublications())
              + " publish all tables: they also publish"
              + " the shadow table's copy and the archived table's reverse replay");
    }
  }

  /**
   * Planning checks after the changes: incoming foreign keys can reference the new table, views and
   * materialized views still compile against it, publication column lists survive.
   */
  List<Check> validations() {
    List<Check> out = new ArrayList<>();
    int n = 0;
    for (ForeignKey fk : props.incomingForeignKeys()) {
      String scratch = Sql.qualified(Names.LEDGER_SCHEMA, "fkcheck_" + (n++));
      out.add(
          new Check(
              "foreign key " + fk.name() + " of " + fk.table(),
              "CREATE TABLE "
                  + scratch
                  + " AS SELECT "
                  + Sql.idents(fk.columns())
                  + " FROM "
                  + fk.table()
                  + " WITH NO DATA"));
      out.add(
          new Check(
              "foreign key " + fk.name() + " of " + fk.table(),
              "ALTER TABLE "
                  + scratch
                  + " ADD FOREIGN KEY ("
                  + Sql.idents(fk.columns())
                  + ") REFERENCES "
                  + shadowSql
                  + " ("
                  + String.join(", ", mapped(fk.referencedColumns(), fk))
                  + ") NOT VALID"));
    }
    for (DependentView v : props.views()) {
      if (!Definitions.mentions(v.definition(), tablePrinted)) {
        continue;
      }
      String check = Sql.qualified(Names.LEDGER_SCHEMA, "viewcheck_" + (n++));
      out.add(
          new Check(
              (v.materialized() ? "materialized view " : "view ") + v.schema() + "." + v.name(),
              "CREATE VIEW " + check + " AS " + views.overShadow(v)));
    }
    for (Publication p : props.publications()) {
      if (p.columns() != null) {
        columnList(p);
      }
    }
    return out;
  }

  /** Syncing: each materialized view built again over the shadow, with its indexes. */
  List<String> syncing() {
    return views.buildFresh();
  }

  /** Inside the cut-over transaction, after the table and index renames. */
  List<String> cutover() {
    List<String> out = new ArrayList<>();
    for (ForeignKey fk : props.outgoingForeignKeys()) {
      out.add("ALTER TABLE " + archivedSql + " DROP CONSTRAINT " + Sql.ident(fk.name()));
    }
    for (ForeignKey fk : shadowProps.outgoingForeignKeys()) {
      String def = Definitions.withoutNotValid(fk.definition());
      String parent = scratchParents.getOrDefault(fk.referencedTable(), tablePrinted);
      def =
          Definitions.replaceOnce(
              def, "REFERENCES " + fk.referencedTable() + "(", "REFERENCES " + parent + "(");
      out.add(addNotValid(tableSql, fk.name(), def));
      comment(out, fk.name(), tableSql, original(fk.name()));
    }
    for (ForeignKey fk : props.incomingForeignKeys()) {
      out.add("ALTER TABLE " + fk.table() + " DROP CONSTRAINT " + Sql.ident(fk.name()));
      String def =
          Definitions.withReferencedColumns(
              Definitions.withoutNotValid(fk.definition()),
              tablePrinted,
              mapped(fk.referencedColumns(), fk));
      out.add(addNotValid(fk.table(), fk.name(), def));
      comment(out, fk.name(), fk.table(), fk.comment());
    }
    views.swap(out, true);
    for (Trigger t : props.triggers()) {
      if (!"D".equals(t.enabled())) {
        // The archived table is written by the reverse replay only; its triggers stay quiet.
        out.add("ALTER TABLE " + archivedSql + " DISABLE TRIGGER " + Sql.ident(t.name()));
      }
    }
    for (Trigger t : shadowProps.triggers()) {
      out.add(
          Definitions.replaceOnce(
              t.definition(), " ON " + shadowPrinted + " ", " ON " + tablePrinted + " "));
      enabled(out, tableSql, t.name(), original(props.triggers(), t.name()));
    }
    if (props.rowSecurity()) {
      out.add("ALTER TABLE " + tableSql + " ENABLE ROW LEVEL SECURITY");
    }
    if (props.forceRowSecurity()) {
      out.add("ALTER TABLE " + tableSql + " FORCE ROW LEVEL SECURITY");
      out.add("ALTER TABLE " + archivedSql + " NO FORCE ROW LEVEL SECURITY");
    }
    for (Policy p : shadowProps.policies()) {
      out.add(createPolicy(p, tableSql));
    }
    replicaIdentity(out, tableSql, false);
    for (Publication p : props.publications()) {
      out.add("ALTER PUBLICATION " + Sql.ident(p.name()) + " DROP TABLE " + archivedSql);
      out.add(
          "ALTER PUBLICATION "
              + Sql.ident(p.name())
              + " ADD TABLE "
              + tableSql
              + publicationTail(p, true));
    }
    return out;
  }

  /**
   * Inside the rollback transaction, after the renames back and before the new table is dropped.
   */
  List<String> rollback() {
    List<String> out = new ArrayList<>();
    for (ForeignKey fk : props.outgoingForeignKeys()) {
      out.add(addNotValid(tableSql, fk.name(), fk.definition()));
      comment(out, fk.name(), tableSql, fk.comment());
    }
    for (ForeignKey fk : props.incomingForeignKeys()) {
      out.add("ALTER TABLE " + fk.table() + " DROP CONSTRAINT " + Sql.ident(fk.name()));
      out.add(addNotValid(fk.table(), fk.name(), fk.definition()));
      comment(out, fk.name(), fk.table(), fk.comment());
    }
    views.swap(out, false);
    for (Trigger t : props.triggers()) {
      if (!"D".equals(t.enabled())) {
        enabled(out, tableSql, t.name(), t.enabled());
      }
    }
    if (props.forceRowSecurity()) {
      out.add("ALTER TABLE " + tableSql + " FORCE ROW LEVEL SECURITY");
    }
    for (Publication p : props.publications()) {
      out.add(
          "ALTER PUBLICATION "
              + Sql.ident(p.name())
              + " ADD TABLE "
              + tableSql
              + publicationTail(p, false));
    }
    return out;
  }

  /**
   * After either swap, outside its transaction: foreign keys that were valid are validated again (a
   * scan that does not block writers). The names are the same after cut-over and rollback.
   */
  List<String> validateAfterCutover() {
    List<String> out = new ArrayList<>();
    for (ForeignKey fk : shadowProps.outgoingForeignKeys()) {
      boolean wasNotValid =
          props.outgoingForeignKeys().stream()
              .anyMatch(o -> o.name().equals(fk.name()) && !o.validated());
      if (!wasNotValid) {
        out.add("ALTER TABLE " + tableSql + " VALIDATE CONSTRAINT " + Sql.ident(fk.name()));
      }
    }
    incomingValidations(out);
    return out;
  }

  /** The same after a rollback: the original table's own keys, and the re-pointed ones. */
  List<String> validateAfterRollback() {
    List<String> out = new ArrayList<>();
    for (ForeignKey fk : props.outgoingForeignKeys()) {
      if (fk.validated()) {
        out.add("ALTER TABLE " + tableSql + " VALIDATE CONSTRAINT " + Sql.ident(fk.name()));
      }
    }
    incomingValidations(out);
    return out;
  }

  private void incomingValidations(List<String> out) {
    for (ForeignKey fk : props.incomingForeignKeys()) {
      if (fk.validated()) {
        out.add("ALTER TABLE " + fk.table() + " VALIDATE CONSTRAINT " + Sql.ident(fk.name()));
      }
    }
  }

  /**
   * Drops the materialized views built over the shadow ({@code NEW}) or left on the archived table
   * ({@code OLD}).
   */
  List<String> dropMaterializedViews(String suffix) {
    return views.dropMaterialized(suffix);
  }

  /** Other tables the swaps lock: referenced parents and referencing children. */
  List<String> otherTables() {
    List<String> out = new ArrayList<>();
    for (DependentView v : props.views()) {
      out.add(Sql.qualified(v.schema(), v.name()));
    }
    for (ForeignKey fk : props.incomingForeignKeys()) {
      if (!out.contains(fk.table())) {
        out.add(fk.table());
      }
    }
    for (ForeignKey fk : props.outgoingForeignKeys()) {
      if (!fk.referencedTable().equals(tablePrinted) && !out.contains(fk.referencedTable())) {
        out.add(fk.referencedTable());
      }
    }
    return out;
  }

  /**
   * The locks a swap takes before the table's own, in the order an application takes them, so that
   * an application statement either waits holding nothing or finishes first, and never deadlocks
   * with the swap: a query on a view locks the view before the table (so the most dependent views
   * come first), a write to a referencing table locks it before its foreign-key check reads the
   * table, and a referenced table gets the SHARE ROW EXCLUSIVE lock that adding a foreign key
   * needs, which lets the application's key checks through.
   */
  List<String> locksFirst() {
    List<String> out = new ArrayList<>();
    // Materialized views cannot be locked with LOCK TABLE, and need not be: their readers never
    // hold the table's lock.
    List<DependentView> reversed =
        new ArrayList<>(props.views().stream().filter(v -> !v.materialized()).toList());
    Collections.reverse(reversed);
    if (!reversed.isEmpty()) {
      out.add(
          "LOCK TABLE "
              + String.join(
                  ", ", reversed.stream().map(v -> Sql.qualified(v.schema(), v.name())).toList())
              + " IN ACCESS EXCLUSIVE MODE");
    }
    List<String> related = new ArrayList<>();
    for (ForeignKey fk : props.incomingForeignKeys()) {
      if (!related.contains(fk.table())) {
        related.add(fk.table());
      }
    }
    for (ForeignKey fk : props.outgoingForeignKeys()) {
      if (!fk.referencedTable().equals(tablePrinted) && !related.contains(fk.referencedTable())) {
        related.add(fk.referencedTable());
      }
    }
    if (!related.isEmpty()) {
      out.add("LOCK TABLE " + String.join(", ", related) + " IN SHARE ROW EXCLUSIVE MODE");
    }
    return out;
  }

  List<String> warnings() {
    return warnings;
  }

  /**
   * A foreign key attached without checking existing rows (validated later, without blocking
   * writes), whatever its definition said about validity.
   */
  private static String addNotValid(String table, String name, String definition) {
    return "ALTER TABLE "
        + table
        + " ADD CONSTRAINT "
        + Sql.ident(name)
        + " "
        + Definitions.withoutNotValid(definition)
        + " NOT VALID";
  }

  private List<String> mapped(List<String> columns, ForeignKey fk) {
    List<String> out = new ArrayList<>();
    for (String c : columns) {
      String to = finalColumn.get(c);
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

  private String columnList(Publication p) {
    List<String> out = new ArrayList<>();
    for (String quoted : p.columns().split(", ")) {
      String c =
          quoted.startsWith("\"")
              ? quoted.substring(1, quoted.length() - 1).replace("\"\"", "\"")
              : quoted;
      String to = finalColumn.get(c);
      if (to == null) {
        throw new IllegalArgumentException(
            "publication " + p.name() + " publishes column " + c + ", which the changes drop");
      }
      out.add(Sql.ident(to));
    }
    return String.join(", ", out);
  }

  private String publicationTail(Publication p, boolean forward) {
    String cols = p.columns() == null ? "" : " (" + (forward ? columnList(p) : p.columns()) + ")";
    return cols + (p.rowFilter() == null ? "" : " WHERE (" + p.rowFilter() + ")");
  }

  private void replicaIdentity(List<String> out, String table, boolean onShadow) {
    switch (props.replicaIdentity()) {
      case "f" -> out.add("ALTER TABLE " + table + " REPLICA IDENTITY FULL");
      case "n" -> out.add("ALTER TABLE " + table + " REPLICA IDENTITY NOTHING");
      case "i" -> {
        String idx = props.replicaIndex();
        String bare = idx.contains(".") ? idx.substring(idx.lastIndexOf('.') + 1) : idx;
        bare =
            bare.startsWith("\"")
                ? bare.substring(1, bare.length() - 1).replace("\"\"", "\"")
                : bare;
        out.add(
            "ALTER TABLE "
                + table
                + " REPLICA IDENTITY USING INDEX "
                + Sql.ident(onShadow ? names.shadowIndex(bare) : bare));
      }
      default -> {}
    }
  }

  private String original(String constraint) {
    return props.outgoingForeignKeys().stream()
        .filter(f -> f.name().equals(constraint))
        .findFirst()
        .map(ForeignKey::comment)
        .orElse(null);
  }

  private static String original(List<Trigger> triggers, String name) {
    return triggers.stream()
        .filter(t -> t.name().equals(name))
        .map(Trigger::enabled)
        .findFirst()
        .orElse("O");
  }

  private static void comment(List<String> out, String constraint, String table, String comment) {
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

  private static void enabled(List<String> out, String table, String trigger, String state) {
    String t = Sql.ident(trigger);
    switch (state) {
      case "D" -> out.add("ALTER TABLE " + table + " DISABLE TRIGGER " + t);
      case "R" -> out.add("ALTER TABLE " + table + " ENABLE REPLICA TRIGGER " + t);
      case "A" -> out.add("ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER " + t);
      default -> out.add("ALTER TABLE " + table + " ENABLE TRIGGER " + t);
    }
  }

  private static String createPolicy(Policy p, String table) {
    return "CREATE POLICY "
        + Sql.ident(p.name())
        + " ON "
        + table
        + " AS "
        + (p.permissive() ? "PERMISSIVE" : "RESTRICTIVE")
        + " FOR "
        + p.command()
        + " TO "
        + String.join(", ", p.roles())
        + (p.using() == null ? "" : " USING (" + p.using() + ")")
        + (p.withCheck() == null ? "" : " WITH CHECK (" + p.withCheck() + ")");
  }
}
