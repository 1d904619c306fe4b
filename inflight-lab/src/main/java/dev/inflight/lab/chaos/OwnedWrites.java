package dev.inflight.lab.chaos;

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
  interface Op {
    void run(Connection c) throws SQLException;

    boolean happened(Connection c) throws SQLException;

    void record(Map<Long, OracleWorkload.Row> model);
  }

  private final int t;
  private final int threads;
  private long nextId;
  private int serial;

  OwnedWrites(int t, int threads) {
    this.t = t;
    this.threads = threads;
    this.nextId = 10_000_000L + t;
  }

  /** The thread's next write on its own rows. */
  Op next(Random rnd, Map<Long, OracleWorkload.Row> mine) {
    List<Long> keys = new ArrayList<>(mine.keySet());
    int dice = rnd.nextInt(100);
    if (dice < 30 || keys.isEmpty()) {
      long id = nextId;
      nextId += threads;
      OracleWorkload.Row r =
          new OracleWorkload.Row(id, "o" + rnd.nextInt(1000), rnd.nextInt(10_000), 0, null);
      return new Op() {
        public void run(Connection c) throws SQLException {
          update(
              c,
              "INSERT INTO items (id, owner, balance) VALUES (?, ?, ?)",
              id,
              r.owner(),
              r.balance());
        }

        public boolean happened(Connection c) throws SQLException {
          return exists(c, id);
        }

        public void record(Map<Long, OracleWorkload.Row> model) {
          model.put(id, r);
        }
      };
    }
    long id = keys.get(rnd.nextInt(keys.size()));
    if (dice < 60) {
      // A value no earlier write of this thread used, so reading it back proves the write.
      int balance = 100_000 + t * 1_000_000 + (++serial % 900_000);
      return new Op() {
        public void run(Connection c) throws SQLException {
          update(c, "UPDATE items SET balance = ? WHERE id = ?", balance, id);
        }

        public boolean happened(Connection c) throws SQLException {
          return Integer.valueOf(balance).equals(balanceOf(c, id));
        }

        public void record(Map<Long, OracleWorkload.Row> model) {
          OracleWorkload.Row o = model.get(id);
          model.put(id, new OracleWorkload.Row(id, o.owner(), balance, o.flag(), o.note()));
        }
      };
    }
    if (dice < 70) {
      // Several rows in one statement: the capture triggers see a transition table.
      List<Long> some = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        long k = keys.get(rnd.nextInt(keys.size()));
        if (!some.contains(k)) {
          some.add(k);
        }
      }
      String owner = "m" + t + "-" + ++serial;
      return new Op() {
        public void run(Connection c) throws SQLException {
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE items SET owner = ? WHERE id = ANY (?)")) {
            ps.setString(1, owner);
            ps.setArray(2, c.createArrayOf("bigint", some.toArray()));
            ps.executeUpdate();
          }
        }

        public boolean happened(Connection c) throws SQLException {
          return owner.equals(ownerOf(c, some.get(0)));
        }

        public void record(Map<Long, OracleWorkload.Row> model) {
          for (long k : some) {
            OracleWorkload.Row o = model.get(k);
            model.put(k, new OracleWorkload.Row(k, owner, o.balance(), o.flag(), o.note()));
          }
        }
      };
    }
    if (dice < 85) {
      // A primary-key change: the row moves to a new key of the same owner.
      long to = nextId;
      nextId += threads;
      return new Op() {
        public void run(Connection c) throws SQLException {
          update(c, "UPDATE items SET id = ? WHERE id = ?", to, id);
        }

        public boolean happened(Connection c) throws SQLException {
          return exists(c, to);
        }

        public void record(Map<Long, OracleWorkload.Row> model) {
          OracleWorkload.Row o = model.remove(id);
          model.put(to, new OracleWorkload.Row(to, o.owner(), o.balance(), o.flag(), o.note()));
        }
      };
    }
    return new Op() {
      public void run(Connection c) throws SQLException {
        update(c, "DELETE FROM items WHERE id = ?", id);
      }

      public boolean happened(Connection c) throws SQLException {
        return !exists(c, id);
      }

      public void record(Map<Long, OracleWorkload.Row> model) {
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

  private static boolean exists(Connection c, long id) throws SQLException {
    return one(c, "SELECT 1 FROM items WHERE id = ?", id) != null;
  }

  private static Integer balanceOf(Connection c, long id) throws SQLException {
    Object v = one(c, "SELECT balance FROM items WHERE id = ?", id);
    return v == null ? null : ((Number) v).intValue();
  }

  private static String ownerOf(Connection c, long id) throws SQLException {
    return (String) one(c, "SELECT owner FROM items WHERE id = ?", id);
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
