package dev.inflight.workload;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.random.RandomGenerator;

/** One application statement (or a short transaction), run on a connection of the pool. */
@FunctionalInterface
public interface Operation {
  void run(Connection connection, RandomGenerator random) throws SQLException;
}
