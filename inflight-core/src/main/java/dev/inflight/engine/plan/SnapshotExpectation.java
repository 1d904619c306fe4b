package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.TableProperties;
import dev.inflight.engine.catalog.TableSnapshot;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the live table must look like after the cut-over, computed during planning from the shadow
 * PostgreSQL built there (the changes applied, names made final) and, for what is attached only at
 * the swap, from the original table with its column renames applied.
 */
final class SnapshotExpectation {
  private final Map<String, String> replacements = new LinkedHashMap<>();

  /** Replaces a name the shadow has during planning with the one the live table will have. */
  SnapshotExpectation rename(String during, String after) {
    replacements.put(during, after);
    return this;
  }

  /**
   * @param quotedRenames original column name (as quote_ident prints it) to final (same form)
   * @param views original view names (printed) by the name of the check view built over the shadow
   */
  Map<String, List<String>> compute(
      Connection conn,
      long shadowOid,
      Map<String, List<String>> original,
      Map<String, String> quotedRenames,
      Map<String, TableProperties.DependentView> views)
      throws SQLException {
    Map<String, List<String>> shadow = TableSnapshot.read(conn, shadowOid, this::normalize);
    Map<String, List<String>> out = new TreeMap<>(shadow);
    out.put("rls", original.get("rls"));
    out.put("publication", renamed(original.get("publication"), quotedRenames, " columns "));
    out.put("incoming", renamed(original.get("incoming"), quotedRenames, "REFERENCES "));
    List<String> sequences =
        new ArrayList<>(
            shadow.get("sequence").stream().filter(l -> l.contains(" identity ")).toList());
    for (String l : original.get("sequence")) {
      if (l.contains(" owned ")) {
        sequences.add(ownedRenamed(l, quotedRenames));
      }
    }
    sequences.sort(null);
    out.put("sequence", sequences);
    List<String> viewLines = new ArrayList<>();
    for (String l : shadow.get("view")) {
      // "view <check view> v (<columns>)" -> "view <original> <kind> (<columns>)"
      String name = l.substring(5, l.indexOf(' ', 5));
      TableProperties.DependentView v = views.get(name);
      if (v != null) {
        viewLines.add(
            "view "
                + v.schema()
                + "."
                + v.name()
                + " "
                + (v.materialized() ? "m" : "v")
                + l.substring(l.indexOf(" (")));
      }
    }
    for (String l : original.get("view")) {
      String name = l.substring(5, l.indexOf(' ', 5));
      if (views.values().stream().noneMatch(v -> (v.schema() + "." + v.name()).equals(name))) {
        viewLines.add(l);
      }
    }
    viewLines.sort(null);
    out.put("view", viewLines);
    return out;
  }

  private String normalize(String line) {
    String l = line;
    for (Map.Entry<String, String> e : replacements.entrySet()) {
      l = l.replace(e.getKey(), e.getValue());
    }
    return l;
  }

  private static List<String> renamed(
      List<String> lines, Map<String, String> renames, String marker) {
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      int i = l.lastIndexOf(marker);
      if (i < 0 || renames.isEmpty()) {
        out.add(l);
        continue;
      }
      int open = l.indexOf('(', i);
      int close = open < 0 ? -1 : l.indexOf(')', open);
      if (marker.equals(" columns ")) {
        open = i + marker.length() - 1;
        close = l.indexOf(" where ", open);
        close = close < 0 ? l.length() : close;
      }
      if (open < 0 || close < 0) {
        out.add(l);
        continue;
      }
      List<String> cols = new ArrayList<>();
      for (String c : l.substring(open + 1, close).split(", ")) {
        cols.add(renames.getOrDefault(c.strip(), c.strip()));
      }
      String joined = String.join(", ", cols);
      out.add(
          marker.equals(" columns ")
              ? l.substring(0, open + 1) + joined + l.substring(close)
              : l.substring(0, open + 1) + joined + l.substring(close));
    }
    out.sort(null);
    return out;
  }

  private static String ownedRenamed(String line, Map<String, String> renames) {
    int f = line.indexOf(" for ");
    int o = line.indexOf(" owned ", f);
    String col = line.substring(f + 5, o);
    return line.substring(0, f + 5) + renames.getOrDefault(col, col) + line.substring(o);
  }
}
