package dev.inflight.workload;

import dev.inflight.workload.OracleWorkload.Row;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The writes of one application thread, on the keys it owns ({@code id % threads == t}): inserts,
 * single-row and multi-row updates, primary-key changes and deletes, each able to tell afterwards
 * whether it happened. Values are unique per thread, so reading a row back proves a write.
 */
final class OwnedWrites {
  /** One write: runs it, says whether it happened (read back), and records its effect. */
  interface Write {
    void run(Connection c) throws SQLException;

    boolean happened(Connection c) throws SQLException;

    void record(Map<Long, Row> model);
  }

  private static final long FIRST_NEW_ID = 10_000_000L;

  private final String table;
  private final int thread;
  private final int threads;
  private long nextId;
  private int serial;

  /** {@code table} is a checked SQL name (see {@link OracleWorkload}). */
  OwnedWrites(String table, int thread, int threads) {
    this.table = table;
    this.thread = thread;
    this.threads = threads;
    this.nextId = FIRST_NEW_ID + thread;
  }

  /** The thread's next write on its own rows. */
  Write next(Random random, Map<Long, Row> mine) {
    List<Long> keys = new ArrayList<>(mine.keySet());
    int dice = random.nextInt(100);
    if (dice < 30 || keys.isEmpty()) {
      return insert(new Row(newId(), "o" + random.nextInt(1000), random.nextInt(10_000), 0, null));
    }
    long id = keys.get(random.nextInt(keys.size()));
    if (dice < 60) {
      // A value no earlier write of this thread used, so reading it back proves the write.
      return setBalance(id, 100_000 + thread * 1_000_000 + (++serial % 900_000));
    }
    if (dice < 70) {
      // Several rows in one statement: the capture triggers see a transition table.
      List<Long> some = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        long k = keys.get(random.nextInt(keys.size()));
        if (!some.contains(k)) {
          some.add(k);
        }
      }
      return setOwner(some, "m" + thread + "-" + ++serial);
    }
    if (dice < 85) {
      // A primary-key change: the row moves to a new key of the same owner.
      return move(id, newId());
    }
    return delete(id);
  }

  private long newId() {
    long id = nextId;
    nextId += threads;
    return id;
  }

  private Write insert(Row row) {
    return new Write() {
      @Override
      public void run(Connection c) throws SQLException {
        update(
            c,
            "INSERT INTO " + table + " (id, owner, balance) VALUES (?, ?, ?)",
            row.id(),
            row.owner(),
            row.balance());
      }

      @Override
      public boolean happened(Connection c) throws SQLException {
        return exists(c, row.id());
      }

      @Override
      public void record(Map<Long, Row> model) {
        model.put(row.id(), row);
      }
    };
  }

  private Write setBalance(long id, int balance) {
    return new Write() {
      @Override
      public void run(Connection c) throws SQLException {
        update(c, "UPDATE " + table + " SET balance = ? WHERE id = ?", balance, id);
      }

      @Override
      public boolean happened(Connection c) throws SQLException {
        Object found = one(c, "SELECT balance FROM " + table + " WHERE id = ?", id);
        return found != null && ((Number) found).intValue() == balance;
      }

      @Override
      public void record(Map<Long, Row> model) {
        model.put(id, model.get(id).withBalance(balance));
      }
    };
  }

  private Write setOwner(List<Long> ids, String owner) {
    return new Write() {
      @Override
      public void run(Connection c) throws SQLException {
        try (PreparedStatement ps =
            c.prepareStatement("UPDATE " + table + " SET owner = ? WHERE id = ANY (?)")) {
          ps.setString(1, owner);
          ps.setArray(2, c.createArrayOf("bigint", ids.toArray()));
          ps.executeUpdate();
        }
      }

      @Override
      public boolean happened(Connection c) throws SQLException {
        return owner.equals(one(c, "SELECT owner FROM " + table + " WHERE id = ?", ids.get(0)));
      }

      @Override
      public void record(Map<Long, Row> model) {
        for (long k : ids) {
          model.put(k, model.get(k).withOwner(owner));
        }
      }
    };
  }

  private Write move(long id, long to) {
    return new Write() {
      @Override
      public void run(Connection c) throws SQLException {
        update(c, "UPDATE " + table + " SET id = ? WHERE id = ?", to, id);
      }

      @Override
      public boolean happened(Connection c) throws SQLException {
        return exists(c, to);
      }

      @Override
      public void record(Map<Long, Row> model) {
        model.put(to, model.remove(id).withId(to));
      }
    };
  }

  private Write delete(long id) {
    return new Write() {
      @Override
      public void run(Connection c) throws SQLException {
        update(c, "DELETE FROM " + table + " WHERE id = ?", id);
      }

      @Override
      public boolean happened(Connection c) throws SQLException {
        return !exists(c, id);
      }

      @Override
      public void record(Map<Long, Row> model) {
        model.remove(id);
      }
    };
  }

  private static void update(Connection c, String sql, Object... values) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        ps.setObject(i + 1, values[i]);
      }
      ps.executeUpdate();
    }
  }

  private boolean exists(Connection c, long id) throws SQLException {
    return one(c, "SELECT 1 FROM " + table + " WHERE id = ?", id) != null;
  }

  private static Object one(Connection c, String sql, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getObject(1) : null;
      }
    }
  }
}
