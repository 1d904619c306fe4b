package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.IndexInfo;
import dev.inflight.engine.catalog.TableInfo;
import dev.inflight.engine.catalog.TableProperties;
import dev.inflight.engine.catalog.TableProperties.Named;
import dev.inflight.engine.sql.Sql;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The table's own settings that the shadow takes from it when it is built: its owner, the comments
 * on its columns, indexes and constraints, its storage parameters (and its TOAST table's), and its
 * columns' options ({@code n_distinct}), statistics targets, storage and compression. Someone who
 * changes one on the live table while the migration copies would lose it at cut-over; the swap sees
 * the change under its lock ({@code catalog.Dependents}) and is planned again. The new plan knows
 * the built shadow, and the cut-over gives the new table each value that differs from what the
 * shadow would have if it were built now (the planning shadow, with the changes applied). The
 * original keeps its own, so the rollback has nothing to do. The table's comment and privileges are
 * {@link PrivilegeCarry}'s.
 */
final class SettingsCarry implements CarriedKind {
  private final CarryScope scope;
  private final TableInfo table;
  private final BuiltShadow built;

  /**
   * @param built the shadow as the migration built it; null at first planning
   */
  SettingsCarry(CarryScope scope, TableInfo table, BuiltShadow built) {
    this.scope = scope;
    this.table = table;
    this.built = built;
  }

  @Override
  public List<String> swap(Direction direction) {
    List<String> out = new ArrayList<>();
    if (direction != Direction.FORWARD || built == null) {
      return out;
    }
    String t = scope.tableSql;
    TableProperties now = scope.shadowProps();
    TableProperties then = built.properties();
    if (!built.info().owner().equals(table.owner())) {
      out.add("ALTER TABLE " + t + " OWNER TO " + Sql.ident(table.owner()));
    }
    out.addAll(options("ALTER TABLE " + t, "", then.reloptions(), now.reloptions()));
    out.addAll(options("ALTER TABLE " + t, "toast.", then.toastOptions(), now.toastOptions()));
    Map<String, String> targetsThen = byColumn(then.statisticsTargets());
    Map<String, String> targetsNow = byColumn(now.statisticsTargets());
    for (String column : union(targetsThen.keySet(), targetsNow.keySet())) {
      String target = targetsNow.getOrDefault(column, "-1");
      if (!target.equals(targetsThen.getOrDefault(column, "-1"))) {
        out.add("ALTER TABLE " + t + " ALTER COLUMN " + column + " SET STATISTICS " + target);
      }
    }
    Map<String, String> optionsThen = named(then.columnOptions());
    Map<String, String> optionsNow = named(now.columnOptions());
    for (String column : union(optionsThen.keySet(), optionsNow.keySet())) {
      out.addAll(
          options(
              "ALTER TABLE " + t + " ALTER COLUMN " + column,
              "",
              split(optionsThen.get(column)),
              split(optionsNow.get(column))));
    }
    Map<String, String> storageThen = named(then.columnStorage());
    for (Map.Entry<String, String> column : named(now.columnStorage()).entrySet()) {
      String before = storageThen.get(column.getKey());
      if (before != null && !before.equals(column.getValue())) {
        out.addAll(
            storage(
                "ALTER TABLE " + t + " ALTER COLUMN " + column.getKey(),
                before,
                column.getValue()));
      }
    }
    Map<String, String> commentsThen = named(then.columnComments());
    Map<String, String> commentsNow = named(now.columnComments());
    for (String column : union(commentsThen.keySet(), commentsNow.keySet())) {
      if (!Objects.equals(commentsThen.get(column), commentsNow.get(column))) {
        out.add("COMMENT ON COLUMN " + t + "." + column + " IS " + text(commentsNow.get(column)));
      }
    }
    indexComments(out);
    checkComments(out, now, then);
    return out;
  }

  /** Comments on the indexes the table had, and on the constraints they back, by final name. */
  private void indexComments(List<String> out) {
    Map<String, String> constraintsNow = named(scope.props.constraintComments());
    Map<String, String> constraintsThen = named(built.properties().constraintComments());
    for (IndexInfo index : table.indexes()) {
      String shadowName = scope.names.shadowIndex(index.name());
      String finalName = scope.finalIndex(shadowName);
      IndexInfo then = built.info().index(shadowName).orElse(null);
      if (finalName == null || then == null) {
        continue;
      }
      if (!Objects.equals(then.comment(), index.comment())) {
        out.add(
            "COMMENT ON INDEX "
                + Sql.qualified(table.schema(), finalName)
                + " IS "
                + text(index.comment()));
      }
      String comment = constraintsNow.get(index.name());
      if (index.backsConstraint() && !Objects.equals(constraintsThen.get(shadowName), comment)) {
        out.add(
            "COMMENT ON CONSTRAINT "
                + Sql.ident(finalName)
                + " ON "
                + scope.tableSql
                + " IS "
                + text(comment));
      }
    }
  }

  /** Comments on the check constraints, which keep their names on the shadow. */
  private void checkComments(List<String> out, TableProperties now, TableProperties then) {
    Set<String> indexes = new LinkedHashSet<>();
    built.info().indexes().forEach(i -> indexes.add(i.name()));
    Map<String, String> commentsThen = named(then.constraintComments());
    Map<String, String> commentsNow = named(now.constraintComments());
    for (String name : union(commentsThen.keySet(), commentsNow.keySet())) {
      if (!indexes.contains(name)
          && !Objects.equals(commentsThen.get(name), commentsNow.get(name))) {
        out.add(
            "COMMENT ON CONSTRAINT "
                + Sql.ident(name)
                + " ON "
                + scope.tableSql
                + " IS "
                + text(commentsNow.get(name)));
      }
    }
  }

  /** {@code SET STORAGE} and {@code SET COMPRESSION} for a column's {@code storage compression}. */
  private static List<String> storage(String alter, String then, String now) {
    List<String> out = new ArrayList<>();
    if (then.charAt(0) != now.charAt(0)) {
      String mode =
          switch (now.charAt(0)) {
            case 'p' -> "PLAIN";
            case 'e' -> "EXTERNAL";
            case 'm' -> "MAIN";
            default -> "EXTENDED";
          };
      out.add(alter + " SET STORAGE " + mode);
    }
    String compression = now.substring(1).strip();
    if (!then.substring(1).strip().equals(compression)) {
      String method =
          switch (compression) {
            case "p" -> "pglz";
            case "l" -> "lz4";
            default -> "default";
          };
      out.add(alter + " SET COMPRESSION " + method);
    }
    return out;
  }

  /**
   * {@code RESET} of the parameters no longer set and {@code SET} of those set now, when they
   * differ; {@code prefix} {@code toast.} for the TOAST table's.
   */
  private static List<String> options(
      String alter, String prefix, List<String> then, List<String> now) {
    if (Set.copyOf(then).equals(Set.copyOf(now))) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    Set<String> keysNow = byColumn(now).keySet();
    List<String> gone = byColumn(then).keySet().stream().filter(k -> !keysNow.contains(k)).toList();
    if (!gone.isEmpty()) {
      out.add(
          alter
              + " RESET ("
              + String.join(", ", gone.stream().map(k -> prefix + k).toList())
              + ")");
    }
    if (!now.isEmpty()) {
      out.add(
          alter + " SET (" + String.join(", ", now.stream().map(o -> prefix + o).toList()) + ")");
    }
    return out;
  }

  /** {@code name=value} entries by name, in order. */
  private static Map<String, String> byColumn(List<String> entries) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String entry : entries) {
      int eq = entry.lastIndexOf('=');
      out.put(entry.substring(0, eq), entry.substring(eq + 1));
    }
    return out;
  }

  private static Map<String, String> named(List<Named> entries) {
    Map<String, String> out = new LinkedHashMap<>();
    entries.forEach(n -> out.put(n.name(), n.text()));
    return out;
  }

  private static List<String> split(String options) {
    return options == null ? List.of() : List.of(options.split(", "));
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> out = new LinkedHashSet<>(a);
    out.addAll(b);
    return out;
  }

  private static String text(String comment) {
    return comment == null ? "NULL" : Sql.literal(comment);
  }
}
