package dev.inflight.engine.plan;

import dev.inflight.engine.sql.Sql;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the rows of one table become the rows of another: an ordered stack of SELECT layers, each
 * giving every column an expression over the layer below it. Renames and drops only relabel; an
 * expression ({@code using}, {@code reverseUsing}) first closes the current layer, so it is
 * evaluated against the columns as they are named at that point in the change list, just as a
 * sequence of {@code ALTER TABLE} statements would see them. PostgreSQL flattens the nested
 * subqueries, so the layers cost nothing at run time.
 *
 * <p>A column with no expression (added by the migration, or dropped and not recomputed) is
 * unmapped: it is left out of INSERT lists so the target's default applies, and out of UPDATE lists
 * so its value is kept.
 */
public final class Projection {
  private final List<String> layers = new ArrayList<>();
  private LinkedHashMap<String, String> current = new LinkedHashMap<>();

  /** The identity projection over the given columns. */
  public Projection(List<String> columns) {
    for (String c : columns) {
      current.put(c, Sql.ident(c));
    }
  }

  public boolean has(String column) {
    return current.containsKey(column);
  }

  /** True when the column has a value expression (it is not unmapped). */
  public boolean mapped(String column) {
    return current.get(column) != null;
  }

  public void rename(String from, String to) {
    LinkedHashMap<String, String> next = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : current.entrySet()) {
      next.put(e.getKey().equals(from) ? to : e.getKey(), e.getValue());
    }
    current = next;
  }

  public void drop(String column) {
    current.remove(column);
  }

  /** A column with no source value. */
  public void addUnmapped(String column) {
    current.put(column, null);
  }

  /** A new column computed from the current ones. {@code expr} is a validated expression. */
  public void addComputed(String column, String expr) {
    closeLayer();
    current.put(column, "(" + expr + ")");
  }

  /** Replaces a column's value with an expression over the current columns. */
  public void replace(String column, String expr) {
    closeLayer();
    current.put(column, "(" + expr + ")");
  }

  /** The columns that have a value, in order. */
  public List<String> mappedColumns() {
    return current.entrySet().stream()
        .filter(e -> e.getValue() != null)
        .map(Map.Entry::getKey)
        .toList();
  }

  /**
   * A SELECT producing {@code columns} (each must be mapped) from the relation {@code from}, which
   * must expose the base columns. A value whose column has a type in {@code castTo} (null: none) is
   * cast to it, as the verification does to compare with the target's types.
   */
  public String select(List<String> columns, String from, Map<String, String> castTo) {
    String inner = from + " AS l0";
    for (int i = 0; i < layers.size(); i++) {
      inner = "(SELECT " + layers.get(i) + " FROM " + inner + ") AS l" + (i + 1);
    }
    List<String> items = new ArrayList<>();
    for (String c : columns) {
      String expr = current.get(c);
      if (expr == null) {
        throw new IllegalStateException("column " + c + " has no value in this projection");
      }
      String type = castTo == null ? null : castTo.get(c);
      items.add(
          (type == null ? expr : "CAST(" + expr + " AS " + type + ")") + " AS " + Sql.ident(c));
    }
    return "SELECT " + String.join(", ", items) + " FROM " + inner;
  }

  private void closeLayer() {
    List<String> items = new ArrayList<>();
    LinkedHashMap<String, String> next = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : current.entrySet()) {
      if (e.getValue() == null) {
        next.put(e.getKey(), null);
      } else {
        items.add(e.getValue() + " AS " + Sql.ident(e.getKey()));
        next.put(e.getKey(), Sql.ident(e.getKey()));
      }
    }
    if (!items.isEmpty()) {
      layers.add(String.join(", ", items));
    }
    current = next;
  }
}
