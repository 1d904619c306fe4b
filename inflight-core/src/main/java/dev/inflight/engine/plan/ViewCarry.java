package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.TableProperties.DependentView;
import dev.inflight.engine.sql.Sql;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The views and materialized views that read the table, across the swap and back. Views are
 * recreated inside the swap over whichever table is then live. Materialized views are built afresh
 * over the shadow before the cut-over, under the shadow suffix, and the swap only renames them; the
 * rollback renames them back and drops the fresh ones.
 */
final class ViewCarry {
  private final List<DependentView> views;
  private final Names names;
  private final String tablePrinted;
  private final String shadowPrinted;

  ViewCarry(List<DependentView> views, Names names, String tablePrinted, String shadowPrinted) {
    this.views = views;
    this.names = names;
    this.tablePrinted = tablePrinted;
    this.shadowPrinted = shadowPrinted;
  }

  /**
   * Before the swap: each materialized view built afresh over the shadow, under its shadow name.
   */
  List<String> buildFresh() {
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
  void swap(List<String> out, boolean forward) {
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
  String overShadow(DependentView v) {
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
