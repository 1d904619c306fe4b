package dev.inflight.lab.generative;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Rows of one writer thread and the SQL that writes them: a row is the text of each of the shape's
 * {@link TableShape#columns() columns} (null for SQL NULL), keys first; every value is bound as
 * text and cast to its column's type, so what the model holds is what PostgreSQL prints back.
 */
final class Rows {
  private static final String LETTERS =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  private static final int TOAST_CHARS = 6_000;

  private final TableShape shape;
  private final int thread;
  private final List<String> columns;
  private final List<String> types;
  private final int keys;
  private long serial;

  Rows(TableShape shape, int thread) {
    this.shape = shape;
    this.thread = thread;
    this.columns = shape.columns();
    this.types = shape.types();
    this.keys = shape.key().columns().size();
  }

  int keyCount() {
    return keys;
  }

  /** A new row with a key no row of this thread ever had. */
  String[] fresh(Random r) {
    long n = ++serial;
    String[] row = new String[columns.size()];
    List<String> key = shape.key().key(thread, n, r.nextInt(64));
    for (int i = 0; i < keys; i++) {
      row[i] = key.get(i);
    }
    row[keys] = Integer.toString(r.nextInt(10_000));
    row[keys + 1] = r.nextInt(5) == 0 ? null : "n" + r.nextInt(1_000_000);
    int next = keys + 2;
    if (shape.unique()) {
      row[next++] = r.nextInt(4) == 0 ? null : "t" + thread + "-" + n;
      row[next++] = Integer.toString(thread);
      row[next++] = "false";
    }
    if (shape.toast()) {
      row[next] = r.nextInt(3) == 0 ? big(r) : "b" + n;
    }
    return row;
  }

  /** A key no row of this thread ever had, for a key change. */
  List<String> freshKey(Random r) {
    return shape.key().key(thread, ++serial, r.nextInt(64));
  }

  /** Large and random enough that compression leaves it over the TOAST threshold. */
  private static String big(Random r) {
    char[] out = new char[TOAST_CHARS];
    for (int i = 0; i < out.length; i++) {
      out[i] = LETTERS.charAt(r.nextInt(LETTERS.length()));
    }
    return new String(out);
  }

  static List<String> key(String[] row, int keys) {
    return List.of(Arrays.copyOf(row, keys));
  }

  /** {@code (id = ?::bigint AND ...)} for one row's key. */
  String keyPredicate() {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      parts.add(columns.get(i) + " = ?::" + types.get(i));
    }
    return "(" + String.join(" AND ", parts) + ")";
  }

  String columnList() {
    return String.join(", ", columns);
  }

  /** {@code ?::bigint, ?::integer, ...} for every column. */
  String castPlaceholders() {
    List<String> out = new ArrayList<>();
    for (String t : types) {
      out.add("?::" + t);
    }
    return String.join(", ", out);
  }

  /** Placeholders for the columns after the keys. */
  String valuePlaceholders() {
    List<String> out = new ArrayList<>();
    for (String t : types.subList(keys, types.size())) {
      out.add("?::" + t);
    }
    return String.join(", ", out);
  }

  /** {@code ?::bigint AS id, ...}: a one-row source for MERGE. */
  String sourceColumns() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      out.add("?::" + types.get(i) + " AS " + columns.get(i));
    }
    return String.join(", ", out);
  }

  /** Columns without the keys: {@code qty, note, ...}. */
  List<String> valueColumns() {
    return columns.subList(keys, columns.size());
  }

  String keyColumnList() {
    return String.join(", ", columns.subList(0, keys));
  }

  String keyJoin(String left, String right) {
    return columns.subList(0, keys).stream()
        .map(k -> left + "." + k + " = " + right + "." + k)
        .collect(Collectors.joining(" AND "));
  }

  /** One line of COPY's text format. */
  static String copyLine(String[] row) {
    return Arrays.stream(row).map(v -> v == null ? "\\N" : v).collect(Collectors.joining("\t"))
        + "\n";
  }

  int column(String name) {
    int i = columns.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("the shape has no column " + name);
    }
    return i;
  }
}
