package dev.inflight.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A table as comparable values: its shape as the catalog describes it, its identity sequences and
 * its rows. Names that depend on where the table lives (its schema and name in index definitions)
 * are normalized, so a table can be compared with a reference copy built in another schema.
 *
 * @param rows every row as its text form ({@code t::text}), sorted
 */
public record CatalogSnapshot(Shape shape, List<Identity> identities, List<String> rows) {

  /** What the table is, apart from its contents. */
  public record Shape(
      String comment,
      String acl,
      List<Column> columns,
      List<Index> indexes,
      List<Constraint> constraints) {

    public Column column(String name) {
      return columns.stream()
          .filter(c -> c.name().equals(name))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no column " + name + " in " + columns));
    }

    public Index index(String name) {
      return indexes.stream()
          .filter(i -> i.name().equals(name))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no index " + name + " in " + indexes));
    }
  }

  /**
   * A live column: {@code type} as {@code format_type}, {@code defaultExpr} as {@code pg_get_expr}.
   */
  public record Column(
      String name,
      String type,
      boolean notNull,
      String defaultExpr,
      String identity,
      String comment) {}

  /**
   * An index; {@code definition} is {@code pg_get_indexdef} with the table written {@code {table}}.
   */
  public record Index(String name, String definition) {}

  /** A constraint ({@code contype} p, u, c, f, x) and its {@code pg_get_constraintdef}. */
  public record Constraint(String name, String type, String definition) {}

  /** An identity column's sequence (unqualified name) and its {@code pg_sequence_last_value}. */
  public record Identity(String column, String sequence, Long lastValue) {}

  /** Reads {@code schema.table}; the table must exist. */
  public static CatalogSnapshot of(TestDatabase db, String schema, String table) {
    String qualified =
        (String) db.scalar("SELECT format('%I.%I', ?::text, ?::text)", schema, table);
    Shape shape =
        new Shape(
            (String) db.scalar("SELECT obj_description(?::regclass, 'pg_class')", qualified),
            (String)
                db.scalar("SELECT relacl::text FROM pg_class WHERE oid = ?::regclass", qualified),
            columns(db, qualified),
            indexes(db, qualified),
            constraints(db, qualified));
    List<String> rows = db.strings("SELECT t::text FROM " + qualified + " AS t ORDER BY 1");
    return new CatalogSnapshot(shape, identities(db, qualified), rows);
  }

  private static List<Column> columns(TestDatabase db, String qualified) {
    return db
        .rows(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull,"
                + " pg_get_expr(d.adbin, d.adrelid) AS default_expr, a.attidentity::text,"
                + " col_description(a.attrelid, a.attnum) AS comment"
                + " FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + " WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
            qualified)
        .stream()
        .map(
            r ->
                new Column(
                    (String) r.get("attname"),
                    (String) r.get("type"),
                    (Boolean) r.get("attnotnull"),
                    (String) r.get("default_expr"),
                    (String) r.get("attidentity"),
                    (String) r.get("comment")))
        .toList();
  }

  private static List<Index> indexes(TestDatabase db, String qualified) {
    return db
        .rows(
            "SELECT ic.relname, replace(pg_get_indexdef(i.indexrelid), ' ON ' || ?::text || ' ', ' ON {table} ') AS def"
                + " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
                + " WHERE i.indrelid = ?::regclass ORDER BY ic.relname",
            qualified,
            qualified)
        .stream()
        .map(r -> new Index((String) r.get("relname"), (String) r.get("def")))
        .toList();
  }

  private static List<Constraint> constraints(TestDatabase db, String qualified) {
    return db
        .rows(
            "SELECT conname, contype::text, pg_get_constraintdef(oid) AS def FROM pg_constraint"
                + " WHERE conrelid = ?::regclass ORDER BY conname",
            qualified)
        .stream()
        .map(
            r ->
                new Constraint(
                    (String) r.get("conname"), (String) r.get("contype"), (String) r.get("def")))
        .toList();
  }

  private static List<Identity> identities(TestDatabase db, String qualified) {
    List<Identity> out = new ArrayList<>();
    for (Map<String, Object> r :
        db.rows(
            "SELECT a.attname, s.relname, pg_sequence_last_value(s.oid) AS last_value"
                + " FROM pg_attribute a"
                + " JOIN pg_class s ON s.oid = pg_get_serial_sequence(?, a.attname)::regclass"
                + " WHERE a.attrelid = ?::regclass AND a.attidentity <> '' AND NOT a.attisdropped ORDER BY a.attnum",
            qualified,
            qualified)) {
      Number last = (Number) r.get("last_value");
      out.add(
          new Identity(
              (String) r.get("attname"),
              (String) r.get("relname"),
              last == null ? null : last.longValue()));
    }
    return out;
  }

  /** Rows of {@code expected} that this snapshot lacks (as a multiset), at most {@code limit}. */
  public List<String> rowsMissingFrom(CatalogSnapshot expected, int limit) {
    return minus(expected.rows, rows, limit);
  }

  /** Rows of this snapshot that {@code expected} lacks (as a multiset), at most {@code limit}. */
  public List<String> rowsNotIn(CatalogSnapshot expected, int limit) {
    return minus(rows, expected.rows, limit);
  }

  private static List<String> minus(List<String> a, List<String> b, int limit) {
    Map<String, Integer> left = new HashMap<>();
    for (String s : b) {
      left.merge(s, 1, Integer::sum);
    }
    List<String> out = new ArrayList<>();
    for (String s : a) {
      Integer n = left.get(s);
      if (n == null || n == 0) {
        if (out.size() < limit) {
          out.add(s);
        }
      } else {
        left.put(s, n - 1);
      }
    }
    return out;
  }

  /**
   * What a migration can leave behind in a database, described one object a line: relations named
   * with {@code __ifl_}, triggers named {@code inflight_…}, functions in schema {@code inflight},
   * and tables there other than the ledger's own.
   */
  public static List<String> migrationObjects(TestDatabase db) {
    List<String> out = new ArrayList<>();
    out.addAll(
        db.strings(
            "SELECT 'relation ' || n.nspname || '.' || c.relname || ' (relkind ' || c.relkind::text || ')'"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE strpos(c.relname, '__ifl_') > 0 ORDER BY 1"));
    out.addAll(
        db.strings(
            "SELECT 'trigger ' || t.tgname || ' on ' || t.tgrelid::regclass FROM pg_trigger t"
                + " WHERE t.tgname LIKE 'inflight\\_%' ORDER BY 1"));
    out.addAll(
        db.strings(
            "SELECT 'function ' || p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE n.nspname = 'inflight' ORDER BY 1"));
    out.addAll(
        db.strings(
            "SELECT 'table inflight.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = 'inflight' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
                + " AND c.relname NOT IN ('migrations', 'history', 'schema_version', 'copy_ranges') ORDER BY 1"));
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CatalogSnapshot s
        && shape.equals(s.shape)
        && identities.equals(s.identities)
        && rows.equals(s.rows);
  }

  @Override
  public int hashCode() {
    return Objects.hash(shape, identities, rows);
  }

  /** Rows are summarized: a failed comparison prints the shape, not thousands of rows. */
  @Override
  public String toString() {
    return "CatalogSnapshot[shape="
        + shape
        + ", identities="
        + identities
        + ", rows="
        + rows.size()
        + " rows]";
  }
}
