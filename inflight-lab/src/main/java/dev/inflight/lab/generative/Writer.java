package dev.inflight.lab.generative;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;

/**
 * One application thread's writes, each on rows only this thread owns, each recorded in the
 * thread's model when (and only when) it commits. A write works on a copy of the model that becomes
 * the model at commit, so a transaction of several writes sees its own effects and a failed one
 * leaves no trace.
 */
final class Writer {
  /** An error of the application's own making: the statement succeeded but did the wrong thing. */
  static final String WRONG_RESULT = "GEN01";

  private final TableShape shape;
  private final int thread;
  private final Rows rows;
  private final Random random;
  private final List<Activity> writes;
  private final Map<List<String>, String[]> model;
  private final AtomicLong longestNanos;
  private final AtomicLong statements;
  private final LongSlot longSlot;
  private Map<List<String>, String[]> work;
  private long gid;

  Writer(
      TableShape shape,
      int thread,
      Random random,
      List<Activity> writes,
      AtomicLong longestNanos,
      AtomicLong statements,
      LongSlot longSlot) {
    this.shape = shape;
    this.thread = thread;
    this.rows = new Rows(shape, thread);
    this.random = random;
    this.writes = writes;
    this.model = new LinkedHashMap<>();
    this.longestNanos = longestNanos;
    this.statements = statements;
    this.longSlot = longSlot;
  }

  Rows rows() {
    return rows;
  }

  /** The rows this thread owns: what the table holds of them once no write is in flight. */
  Map<List<String>, String[]> model() {
    return model;
  }

  /** Adds an initial row (already in the table). */
  void own(String[] row) {
    model.put(Rows.key(row, rows.keyCount()), row);
  }

  /** Runs one write the case drew, as its own transaction. */
  void next(Connection c) throws SQLException, InterruptedException {
    Activity a = writes.get(random.nextInt(writes.size()));
    work = new LinkedHashMap<>(model);
    boolean isLong =
        a == Activity.LONG_TRANSACTION
            || a == Activity.PREPARED_TRANSACTION
            || a == Activity.REPEATABLE_READ;
    if (isLong && !longSlot.tryTake()) {
      a = Activity.INSERT;
      isLong = false;
    }
    try {
      run(c, a);
    } finally {
      if (isLong) {
        longSlot.release();
      }
    }
  }

  private void run(Connection c, Activity a) throws SQLException, InterruptedException {
    switch (a) {
      case LONG_TRANSACTION -> {
        c.setAutoCommit(false);
        int n = 2 + random.nextInt(2);
        for (int i = 0; i < n; i++) {
          simple(c);
          Thread.sleep(100 + random.nextInt(400));
        }
        commit(c);
      }
      case PREPARED_TRANSACTION -> prepared(c);
      case REPEATABLE_READ -> repeatableRead(c);
      case REPLICA_ROLE -> {
        c.setAutoCommit(false);
        exec(c, "SET LOCAL session_replication_role = replica");
        simple(c);
        commit(c);
      }
      case UNIQUE_SWAP -> {
        c.setAutoCommit(false);
        swapTags(c);
        moveChosen(c);
        commit(c);
      }
      default -> {
        c.setAutoCommit(true);
        write(c, a);
        model.clear();
        model.putAll(work);
      }
    }
  }

  private void commit(Connection c) throws SQLException {
    long start = System.nanoTime();
    c.commit();
    timed(start);
    model.clear();
    model.putAll(work);
  }

  /** One of the single-statement writes, chosen among those the case drew. */
  private void simple(Connection c) throws SQLException {
    List<Activity> plain = new ArrayList<>();
    for (Activity a : writes) {
      if (a.ordinal() <= Activity.COPY.ordinal()) {
        plain.add(a);
      }
    }
    write(c, plain.get(random.nextInt(plain.size())));
  }

  private void write(Connection c, Activity a) throws SQLException {
    if (work.isEmpty() && a != Activity.COPY && a != Activity.UPSERT && a != Activity.MERGE) {
      a = Activity.INSERT;
    }
    switch (a) {
      case INSERT -> insert(c);
      case UPDATE -> update(c);
      case MULTI_UPDATE -> multiUpdate(c);
      case KEY_UPDATE -> keyUpdate(c);
      case DELETE -> delete(c);
      case UPSERT -> upsert(c);
      case MERGE -> merge(c);
      case COPY -> copy(c);
      default -> throw new IllegalArgumentException(a + " is not a single statement");
    }
  }

  private void insert(Connection c) throws SQLException {
    String[] row = rows.fresh(random);
    int keys = rows.keyCount();
    if (shape.key() == KeyKind.INT_IDENTITY && random.nextBoolean()) {
      // The sequence chooses the key.
      String cols = String.join(", ", rows.valueColumns());
      List<String> values = new ArrayList<>(Arrays.asList(row).subList(keys, row.length));
      String sql =
          "INSERT INTO subject ("
              + cols
              + ") VALUES ("
              + rows.valuePlaceholders()
              + ") RETURNING id::text";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        bind(ps, 1, values);
        long start = System.nanoTime();
        try (var rs = ps.executeQuery()) {
          timed(start);
          rs.next();
          row[0] = rs.getString(1);
        }
      }
    } else {
      update(
          c,
          "INSERT INTO subject ("
              + rows.columnList()
              + ") VALUES ("
              + rows.castPlaceholders()
              + ")",
          Arrays.asList(row));
    }
    put(row);
  }

  private void update(Connection c) throws SQLException {
    String[] row = pick().clone();
    row[rows.keyCount()] = Integer.toString(random.nextInt(10_000));
    row[rows.keyCount() + 1] = random.nextInt(5) == 0 ? null : "u" + random.nextInt(1_000_000);
    List<Object> values = new ArrayList<>();
    values.add(row[rows.keyCount()]);
    values.add(row[rows.keyCount() + 1]);
    values.addAll(Rows.key(row, rows.keyCount()));
    expectOne(
        c, "UPDATE subject SET qty = ?::integer, note = ? WHERE " + rows.keyPredicate(), values);
    put(row);
  }

  private void multiUpdate(Connection c) throws SQLException {
    List<String[]> some = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String[] r = pick();
      if (!some.contains(r)) {
        some.add(r);
      }
    }
    List<String> preds = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    for (String[] r : some) {
      preds.add(rows.keyPredicate());
      values.addAll(Rows.key(r, rows.keyCount()));
    }
    int n =
        update(c, "UPDATE subject SET qty = qty + 1 WHERE " + String.join(" OR ", preds), values);
    if (n != some.size()) {
      throw wrong("a multi-row update changed " + n + " rows, not " + some.size());
    }
    for (String[] r : some) {
      String[] changed = r.clone();
      changed[rows.keyCount()] = Long.toString(Long.parseLong(r[rows.keyCount()]) + 1);
      put(changed);
    }
  }

  private void keyUpdate(Connection c) throws SQLException {
    String[] row = pick();
    List<String> old = Rows.key(row, rows.keyCount());
    List<String> to =
        shape.key().hasEqualChanges() && random.nextBoolean()
            ? shape.key().equalChange(old)
            : rows.freshKey(random);
    List<String> sets = new ArrayList<>();
    for (int i = 0; i < rows.keyCount(); i++) {
      sets.add(shape.columns().get(i) + " = ?::" + shape.types().get(i));
    }
    List<Object> values = new ArrayList<>(to);
    values.addAll(old);
    expectOne(
        c,
        "UPDATE subject SET " + String.join(", ", sets) + " WHERE " + rows.keyPredicate(),
        values);
    String[] moved = row.clone();
    for (int i = 0; i < rows.keyCount(); i++) {
      moved[i] = to.get(i);
    }
    work.remove(old);
    put(moved);
  }

  private void delete(Connection c) throws SQLException {
    String[] row = pick();
    List<String> key = Rows.key(row, rows.keyCount());
    expectOne(c, "DELETE FROM subject WHERE " + rows.keyPredicate(), new ArrayList<>(key));
    work.remove(key);
  }

  /** An existing row with new values, or a new row: the two paths of upserts and MERGE. */
  private String[] existingOrFresh() {
    if (!work.isEmpty() && random.nextBoolean()) {
      String[] row = pick().clone();
      row[rows.keyCount()] = Integer.toString(random.nextInt(10_000));
      row[rows.keyCount() + 1] = "v" + random.nextInt(1_000_000);
      return row;
    }
    return rows.fresh(random);
  }

  private void upsert(Connection c) throws SQLException {
    String[] row = existingOrFresh();
    update(
        c,
        "INSERT INTO subject ("
            + rows.columnList()
            + ") VALUES ("
            + rows.castPlaceholders()
            + ") ON CONFLICT ("
            + rows.keyColumnList()
            + ") DO UPDATE SET qty = EXCLUDED.qty, note = EXCLUDED.note",
        Arrays.asList(row));
    put(row);
  }

  private void merge(Connection c) throws SQLException {
    String[] row = existingOrFresh();
    List<String> sourceValues = new ArrayList<>();
    for (String col : shape.columns()) {
      sourceValues.add("s." + col);
    }
    update(
        c,
        "MERGE INTO subject t USING (SELECT "
            + rows.sourceColumns()
            + ") s ON "
            + rows.keyJoin("t", "s")
            + " WHEN MATCHED THEN UPDATE SET qty = s.qty, note = s.note"
            + " WHEN NOT MATCHED THEN INSERT ("
            + rows.columnList()
            + ") VALUES ("
            + String.join(", ", sourceValues)
            + ")",
        Arrays.asList(row));
    put(row);
  }

  private void copy(Connection c) throws SQLException {
    StringBuilder lines = new StringBuilder();
    List<String[]> fresh = new ArrayList<>();
    int n = 1 + random.nextInt(4);
    for (int i = 0; i < n; i++) {
      String[] row = rows.fresh(random);
      fresh.add(row);
      lines.append(Rows.copyLine(row));
    }
    long start = System.nanoTime();
    try {
      c.unwrap(PGConnection.class)
          .getCopyAPI()
          .copyIn(
              "COPY subject (" + rows.columnList() + ") FROM STDIN",
              new StringReader(lines.toString()));
    } catch (IOException e) {
      throw new SQLException("COPY failed: " + e.getMessage(), e);
    }
    timed(start);
    fresh.forEach(this::put);
  }

  /** Two rows exchange their tags through NULL, in this transaction. */
  private void swapTags(Connection c) throws SQLException {
    int tag = rows.column("tag");
    List<String[]> tagged = new ArrayList<>();
    for (String[] r : work.values()) {
      if (r[tag] != null) {
        tagged.add(r);
      }
    }
    if (tagged.size() < 2) {
      return;
    }
    String[] a = tagged.get(random.nextInt(tagged.size()));
    String[] b = a;
    while (b == a) {
      b = tagged.get(random.nextInt(tagged.size()));
    }
    setTag(c, a, null);
    setTag(c, b, a[tag]);
    setTag(c, a, b[tag]);
    String[] na = a.clone();
    String[] nb = b.clone();
    na[tag] = b[tag];
    nb[tag] = a[tag];
    put(na);
    put(nb);
  }

  private void setTag(Connection c, String[] row, String value) throws SQLException {
    List<Object> values = new ArrayList<>();
    values.add(value);
    values.addAll(Rows.key(row, rows.keyCount()));
    expectOne(c, "UPDATE subject SET tag = ? WHERE " + rows.keyPredicate(), values);
  }

  /** The thread's "chosen" flag moves to another row under the partial unique index. */
  private void moveChosen(Connection c) throws SQLException {
    int chosen = rows.column("chosen");
    String[] from = null;
    for (String[] r : work.values()) {
      if ("true".equals(r[chosen])) {
        from = r;
      }
    }
    String[] to = pick();
    if (to == from) {
      return;
    }
    if (from != null) {
      setChosen(c, from, false);
    }
    setChosen(c, to, true);
  }

  private void setChosen(Connection c, String[] row, boolean value) throws SQLException {
    List<Object> values = new ArrayList<>();
    values.add(Boolean.toString(value));
    values.addAll(Rows.key(row, rows.keyCount()));
    expectOne(c, "UPDATE subject SET chosen = ?::boolean WHERE " + rows.keyPredicate(), values);
    String[] changed = row.clone();
    changed[rows.column("chosen")] = Boolean.toString(value);
    put(changed);
  }

  /** A write, {@code PREPARE TRANSACTION}, a pause, {@code COMMIT PREPARED}. */
  private void prepared(Connection c) throws SQLException, InterruptedException {
    c.setAutoCommit(false);
    simple(c);
    String name = "gen_" + thread + "_" + ++gid;
    exec(c, "PREPARE TRANSACTION '" + name + "'");
    c.setAutoCommit(true);
    Thread.sleep(100 + random.nextInt(700));
    exec(c, "COMMIT PREPARED '" + name + "'");
    model.clear();
    model.putAll(work);
  }

  /**
   * A REPEATABLE READ transaction: its snapshot is taken by a read of another table, then, after a
   * pause in which the swap may happen, it updates one of its rows (which must be there) and
   * inserts a new one after checking it is absent.
   */
  private void repeatableRead(Connection c) throws SQLException, InterruptedException {
    c.setAutoCommit(false);
    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    try {
      exec(c, "SELECT count(*) FROM pg_namespace");
      Thread.sleep(200 + random.nextInt(1300));
      if (!work.isEmpty()) {
        update(c);
      }
      String[] row = rows.fresh(random);
      try (PreparedStatement ps =
          c.prepareStatement("SELECT 1 FROM subject WHERE " + rows.keyPredicate())) {
        bind(ps, 1, Rows.key(row, rows.keyCount()));
        try (var rs = ps.executeQuery()) {
          if (rs.next()) {
            throw wrong("a key no row has was found by a REPEATABLE READ transaction");
          }
        }
      }
      update(
          c,
          "INSERT INTO subject ("
              + rows.columnList()
              + ") VALUES ("
              + rows.castPlaceholders()
              + ")",
          Arrays.asList(row));
      put(row);
      commit(c);
    } catch (SQLException e) {
      // The isolation level can only be reset outside the failed transaction.
      c.rollback();
      throw e;
    } finally {
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    }
  }

  private String[] pick() {
    List<String[]> all = new ArrayList<>(work.values());
    return all.get(random.nextInt(all.size()));
  }

  private void put(String[] row) {
    work.put(Rows.key(row, rows.keyCount()), row);
  }

  private void expectOne(Connection c, String sql, List<?> values) throws SQLException {
    int n = update(c, sql, values);
    if (n != 1) {
      throw wrong(n + " rows changed, not 1, by " + sql.substring(0, sql.indexOf(' ', 8)));
    }
  }

  private int update(Connection c, String sql, List<?> values) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, 1, values);
      long start = System.nanoTime();
      int n = ps.executeUpdate();
      timed(start);
      return n;
    }
  }

  private void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      long start = System.nanoTime();
      st.execute(sql);
      timed(start);
    }
  }

  private static void bind(PreparedStatement ps, int from, List<?> values) throws SQLException {
    for (int i = 0; i < values.size(); i++) {
      ps.setString(from + i, (String) values.get(i));
    }
  }

  private void timed(long start) {
    longestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
    statements.incrementAndGet();
  }

  private static SQLException wrong(String message) {
    return new SQLException(message, WRONG_RESULT);
  }
}
