package dev.inflight.cli.demo;

import dev.inflight.workload.Mix;
import dev.inflight.workload.StatementLog.Kind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.random.RandomGenerator;

/**
 * What the demo's application does to {@code users}, the way a service does: writers insert (35%),
 * update (50%) and delete (15%) single rows; readers look a row up by key, by named columns and by
 * {@code SELECT *} (whose result type changes with the migration). The ids it inserted are kept, so
 * the demo can check that every one of them is still there after the rollback.
 */
final class UsersStatements {
  private final long maxInitialId;
  private final ConcurrentLinkedQueue<Long> insertedIds = new ConcurrentLinkedQueue<>();

  UsersStatements(long maxInitialId) {
    this.maxInitialId = maxInitialId;
  }

  Mix writes() {
    return Mix.of(Kind.INSERT, 35, this::insert)
        .and(Kind.UPDATE, 50, this::update)
        .and(Kind.DELETE, 15, this::delete);
  }

  /**
   * The forms a service uses: named columns, and {@code SELECT *} on its own and inside a
   * transaction. pgjdbc re-prepares a statement whose result type changed when no transaction is
   * open; inside one only with {@code autosave=conservative}, which this pool sets.
   */
  Mix reads() {
    return Mix.of(Kind.READ, 1, (c, random) -> read(c, random, "id, name, status"))
        .and(Kind.READ, 1, (c, random) -> read(c, random, "*"))
        .and(Kind.READ, 1, this::readInTransaction);
  }

  /** A prepared {@code SELECT *} inside a transaction alone, for a pool without the setting. */
  Mix selectStarInTransaction() {
    return Mix.of(Kind.READ, 1, this::readInTransaction);
  }

  private void readInTransaction(Connection c, RandomGenerator random) throws SQLException {
    c.setAutoCommit(false);
    try {
      read(c, random, "*");
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** The ids the application inserted, deleted since or not. */
  List<Long> insertedIds() {
    return List.copyOf(insertedIds);
  }

  private void insert(Connection c, RandomGenerator random) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO users (name, email, status, last_login) VALUES (?, ?, 'active', ?)"
                + " RETURNING id")) {
      String name = "app-" + random.nextLong(1_000_000_000L);
      ps.setString(1, name);
      ps.setString(2, name + "-" + System.nanoTime() + "@example.com");
      ps.setTimestamp(3, Timestamp.from(Instant.now()));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        insertedIds.add(rs.getLong(1));
      }
    }
  }

  private void update(Connection c, RandomGenerator random) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE users SET last_login = ?, status = ? WHERE id = ?")) {
      ps.setTimestamp(1, Timestamp.from(Instant.now()));
      ps.setString(2, random.nextBoolean() ? "active" : "inactive");
      ps.setLong(3, anyInitialId(random));
      ps.executeUpdate();
    }
  }

  private void delete(Connection c, RandomGenerator random) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM users WHERE id = ?")) {
      ps.setLong(1, anyInitialId(random));
      ps.executeUpdate();
    }
  }

  private void read(Connection c, RandomGenerator random, String columns) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT " + columns + " FROM users WHERE id = ?")) {
      ps.setLong(1, anyInitialId(random));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rs.getString("name");
        }
      }
    }
  }

  private long anyInitialId(RandomGenerator random) {
    return 1 + random.nextLong(maxInitialId);
  }
}
