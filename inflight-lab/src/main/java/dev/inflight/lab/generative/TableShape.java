package dev.inflight.lab.generative;

import java.util.ArrayList;
import java.util.List;

/**
 * The shape of a generated table, {@code public.subject}: its key, and which of the optional
 * columns it has. Every shape has {@code qty integer NOT NULL} (which the changes alter), {@code
 * note text} (nullable), and {@code spare text DEFAULT 's'}, which the application never writes (so
 * a change may drop it and a rollback bring it back).
 *
 * @param unique a unique secondary column {@code tag} (nullable) and a "default" flag {@code
 *     chosen} under a partial unique index per writer ({@code grp}): the columns unique values move
 *     between rows in
 * @param toast a {@code body} column whose values are often large enough to be TOASTed
 * @param droppedColumn a column dropped before the migration, so the table's attribute numbers have
 *     a hole
 */
public record TableShape(KeyKind key, boolean unique, boolean toast, boolean droppedColumn) {
  /** The table every case migrates. */
  public static final String TABLE = "subject";

  /** The statements that create the empty table (after the key's prerequisites). */
  public List<String> createSql() {
    List<String> out = new ArrayList<>(key.prerequisites());
    StringBuilder b = new StringBuilder("CREATE TABLE " + TABLE + " (" + key.columnsSql());
    if (droppedColumn) {
      b.append(", legacy integer");
    }
    b.append(", qty integer NOT NULL DEFAULT 0, note text");
    if (unique) {
      b.append(", tag text UNIQUE, grp integer NOT NULL, chosen boolean NOT NULL DEFAULT false");
    }
    if (toast) {
      b.append(", body text");
    }
    b.append(", spare text DEFAULT 's', PRIMARY KEY (")
        .append(String.join(", ", key.columns()))
        .append("))");
    out.add(b.toString());
    if (unique) {
      out.add("CREATE UNIQUE INDEX subject_one_chosen ON " + TABLE + " (grp) WHERE chosen");
    }
    if (droppedColumn) {
      out.add("ALTER TABLE " + TABLE + " DROP COLUMN legacy");
    }
    return out;
  }

  /** The columns the application writes and the model holds, keys first. */
  public List<String> columns() {
    List<String> out = new ArrayList<>(key.columns());
    out.add("qty");
    out.add("note");
    if (unique) {
      out.addAll(List.of("tag", "grp", "chosen"));
    }
    if (toast) {
      out.add("body");
    }
    return out;
  }

  /** The SQL type of each of {@link #columns()}, for casts of bound text values. */
  public List<String> types() {
    List<String> out = new ArrayList<>(key.types());
    out.add("integer");
    out.add("text");
    if (unique) {
      out.addAll(List.of("text", "integer", "boolean"));
    }
    if (toast) {
      out.add("text");
    }
    return out;
  }

  public String describe() {
    return key.cliName()
        + (unique ? "+unique" : "")
        + (toast ? "+toast" : "")
        + (droppedColumn ? "+dropped" : "");
  }
}
