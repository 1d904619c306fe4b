package dev.inflight.engine.catalog;

import dev.inflight.engine.PlanRejectedException;
import dev.inflight.engine.sql.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A table by schema and name (and oid once resolved). */
public record TableRef(String schema, String name, long oid) {

  /**
   * Parses {@code schema.table}, {@code table}, or either part double-quoted ({@code "My
   * Schema"."Users"}); unquoted parts fold to lower case as in SQL.
   */
  public static TableRef parse(String text) {
    String t = text.trim();
    List<String> parts = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < t.length() && t.charAt(i + 1) == '"') {
            cur.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          cur.append(c);
        }
      } else if (c == '"') {
        quoted = true;
        wasQuoted = true;
      } else if (c == '.') {
        parts.add(wasQuoted ? cur.toString() : cur.toString().toLowerCase(Locale.ROOT));
        cur.setLength(0);
        wasQuoted = false;
      } else {
        cur.append(c);
      }
    }
    if (quoted) {
      throw new PlanRejectedException("spec.table: unterminated quote in '" + text + "'");
    }
    parts.add(wasQuoted ? cur.toString() : cur.toString().toLowerCase(Locale.ROOT));
    if (parts.size() > 2 || parts.stream().anyMatch(String::isEmpty)) {
      throw new PlanRejectedException(
          "spec.table: '" + text + "' is not a table name (expected schema.table or table)");
    }
    return parts.size() == 2
        ? new TableRef(parts.get(0), parts.get(1), 0)
        : new TableRef(null, parts.get(0), 0);
  }

  /** {@code "schema"."name"} for SQL. */
  public String sql() {
    return Sql.qualified(schema, name);
  }

  /** schema.name for messages. */
  public String display() {
    return schema == null ? name : schema + "." + name;
  }
}
