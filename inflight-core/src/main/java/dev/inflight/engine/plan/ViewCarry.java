package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.TableProperties.DependentView;
import dev.inflight.engine.sql.Sql;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The views and materialized views that read the table, across the swap and back. Views are
 * recreated inside the swap over whichever table is then live. Materialized views are built afresh
 * over the shadow before the cut-over, under the shadow suffix, and the swap only renames them; the
 * rollback renames them back and drops the fresh ones. Planning checks that each view that reads
 * the table directly compiles over the new shape (as a scratch view over the planning shadow).
 */
final class ViewCarry implements CarriedKind {
  private final List<DependentView> views;
  private final Names names;
  private final String tablePrinted;
  private final String shadowPrinted;

  /** The number of the first scratch check view; the incoming foreign keys' checks come before. */
  private final int firstCheck;

  ViewCarry(CarryScope scope) {
    this.views = scope.props.views();
    this.names = scope.names;
    this.tablePrinted = scope.tablePrinted;
    this.shadowPrinted = scope.shadowPrinted;
    this.firstCheck = scope.props.incomingForeignKeys().size();
  }

  @Override
  public List<String> refusals() {
    List<String> out = new ArrayList<>();
    for (DependentView v : views) {
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

  @Override
  public List<Carryover.Check> validations() {
    List<Carryover.Check> out = new ArrayList<>();
    checkViews()
        .forEach(
            (check, v) ->
                out.add(
                    new Carryover.Check(
                        (v.materialized() ? "materialized view " : "view ")
                            + v.schema()
                            + "."
                            + v.name(),
                        "CREATE VIEW " + check + " AS " + overShadow(v))));
    return out;
  }

  /** The name of each check view built by {@link #validations}, with the view it stands for. */
  Map<String, DependentView> checkViews() {
    Map<String, DependentView> out = new LinkedHashMap<>();
    int n = firstCheck;
    for (DependentView v : views) {
      if (Definitions.mentions(v.definition(), tablePrinted)) {
        out.put(Names.LEDGER_SCHEMA + ".viewcheck_" + (n++), v);
      }
    }
    return out;
  }

  @Override
  public List<String> syncing() {
    return buildFresh();
  }

  @Override
  public List<String> swap(Direction direction) {
    List<String> out = new ArrayList<>();
    swap(out, direction == Direction.FORWARD);
    return out;
  }

  /**
   * Views are locked most dependent first, as a query on a view locks the view before the table.
   * Materialized views cannot be locked with LOCK TABLE, and need not be: their readers never hold
   * the table's lock.
   */
  @Override
  public List<String> exclusiveLocks() {
    List<String> out =
        new ArrayList<>(
            views.stream()
                .filter(v -> !v.materialized())
                .map(v -> Sql.qualified(v.schema(), v.name()))
                .toList());
    Collections.reverse(out);
    return out;
  }

  @Override
  public List<String> otherTables() {
    return views.stream().map(v -> Sql.qualified(v.schema(), v.name())).toList();
  }

  /**
   * Before the swap: each materialized view built afresh over the shadow, under its shadow name.
   */
  private List<String> buildFresh() {
    List<String> out = new ArrayList<>();
    for (DependentView v : materialized()) {
      String fresh = Sql.qualified(v.schema(), Names.suffixed(v.name(), Names.NEW));
      out.add(
          "CREATE MATERIALIZED VIEW " + fresh + options(v) + " AS " + overShadow(v) + " WITH DATA");
      for (String ix : v.indexDefinitions()) {
        out.add(matviewIndex(ix, v, fresh));
      }
      out.addAll(viewDetails(v, fresh, true));
    }
    return out;
  }

  /** Drops the materialized views carrying {@code suffix}, where they exist. */
  List<String> dropMaterialized(String suffix) {
    return materialized().stream()
        .map(
            v ->
                "DROP MATERIALIZED VIEW IF EXISTS "
                    + Sql.qualified(v.schema(), Names.suffixed(v.name(), suffix)))
        .toList();
  }

  /**
   * Inside a swap: views dropped and recreated over the table now live; materialized views renamed
   * so the fresh ones take the names (forward), or back, dropping the fresh ones (rollback).
   */
  private void swap(List<String> out, boolean forward) {
    List<DependentView> reversed = new ArrayList<>(views);
    Collections.reverse(reversed);
    for (DependentView v : reversed) {
      if (!v.materialized()) {
        out.add("DROP VIEW " + Sql.qualified(v.schema(), v.name()));
      }
    }
    for (DependentView v : materialized()) {
      // Forward: the original goes to the archived name, the fresh one takes the name; back:
      // the reverse, with the fresh one set aside under its shadow name.
      String away = forward ? Names.OLD : Names.NEW;
      String back = forward ? Names.NEW : Names.OLD;
      renameMatview(out, v, null, away);
      renameMatview(out, v, back, null);
    }
    for (DependentView v : views) {
      if (!v.materialized()) {
        String name = Sql.qualified(v.schema(), v.name());
        out.add("CREATE VIEW " + name + options(v) + " AS " + v.definition());
        out.addAll(viewDetails(v, name, false));
      }
    }
    if (!forward) {
      for (DependentView v : materialized()) {
        out.add(
            "DROP MATERIALIZED VIEW "
                + Sql.qualified(v.schema(), Names.suffixed(v.name(), Names.NEW)));
      }
    }
  }

  /** Renames a materialized view and its indexes from one suffix (null: none) to another. */
  private static void renameMatview(List<String> out, DependentView v, String from, String to) {
    out.add(
        "ALTER MATERIALIZED VIEW "
            + Sql.qualified(v.schema(), named(v.name(), from))
            + " RENAME TO "
            + Sql.ident(named(v.name(), to)));
    for (String ix : v.indexDefinitions().stream().map(ViewCarry::indexName).toList()) {
      out.add(
          "ALTER INDEX "
              + Sql.qualified(v.schema(), named(ix, from))
              + " RENAME TO "
              + Sql.ident(named(ix, to)));
    }
  }

  private static String named(String name, String suffix) {
    return suffix == null ? name : Names.suffixed(name, suffix);
  }

  private List<String> viewDetails(DependentView v, String name, boolean materialized) {
    List<String> out = new ArrayList<>();
    String kind = materialized ? "MATERIALIZED VIEW " : "VIEW ";
    out.add("ALTER " + kind + name + " OWNER TO " + Sql.ident(v.owner()));
    if (v.comment() != null) {
      out.add("COMMENT ON " + kind + name + " IS " + Sql.literal(v.comment()));
    }
    for (String g : v.grants()) {
      out.add(g.replace("{{view}}", name));
    }
    return out;
  }

  private static String options(DependentView v) {
    return v.options().isEmpty() ? "" : " WITH (" + String.join(", ", v.options()) + ")";
  }

  /** The view's definition reading the shadow instead of the table. */
  private String overShadow(DependentView v) {
    return Definitions.replaceRelation(
        v.definition(), tablePrinted, shadowPrinted, Sql.ident(names.table()));
  }

  private String matviewIndex(String def, DependentView v, String fresh) {
    String ix = indexName(def);
    String body = def.substring(def.indexOf(" USING ") + 1);
    return "CREATE "
        + (def.startsWith("CREATE UNIQUE") ? "UNIQUE " : "")
        + "INDEX "
        + Sql.ident(Names.suffixed(ix, Names.NEW))
        + " ON "
        + fresh
        + " "
        + body;
  }

  /** The unquoted name in {@code CREATE [UNIQUE] INDEX name ON ...}. */
  static String indexName(String def) {
    String rest = def.substring(def.indexOf("INDEX ") + 6);
    if (rest.startsWith("\"")) {
      int end = rest.indexOf("\" ON ");
      return rest.substring(1, end).replace("\"\"", "\"");
    }
    return rest.substring(0, rest.indexOf(' '));
  }

  private List<DependentView> materialized() {
    return views.stream().filter(DependentView::materialized).toList();
  }
}
