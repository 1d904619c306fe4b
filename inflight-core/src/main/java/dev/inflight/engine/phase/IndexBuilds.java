package dev.inflight.engine.phase;

import dev.inflight.engine.EngineException;
import dev.inflight.engine.plan.IndexBuild;
import dev.inflight.engine.sql.Tx;
import dev.inflight.engine.sync.KeyRange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The new table's indexes, built on the shadow at Syncing. Each build is one transaction, so an
 * index is on the shadow exactly when its build committed: the catalog, not a counter, says which
 * are left, and builds committed in any order (several at once) resume correctly.
 *
 * <p>Plain index builds run several at once, each on its own session: they take SHARE locks, which
 * do not conflict. A build that also adds a constraint ({@code ALTER TABLE ... USING INDEX}, an
 * exclusion constraint) needs the table exclusively for a moment, which a concurrent build would
 * make it wait for (or deadlock with), so it runs alone.
 */
final class IndexBuilds {
  private IndexBuilds() {}

  /** A unique index met duplicates; the caller replays and decides whether they are real. */
  static final class Duplicates extends RuntimeException {
    private final IndexBuild index;

    Duplicates(IndexBuild index, SQLException cause) {
      super(cause.getMessage(), cause);
      this.index = index;
    }

    IndexBuild index() {
      return index;
    }

    SQLException sqlCause() {
      return (SQLException) getCause();
    }
  }

  /** The names of the indexes the shadow has. */
  static Set<String> onShadow(Connection c, String shadowSql) throws SQLException {
    Set<String> out = new HashSet<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
                + " WHERE i.indrelid = ?::regclass")) {
      ps.setString(1, shadowSql);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /**
   * The builds to run now, from those not built yet: up to {@code workers} plain ones at once, or
   * the first one alone when it adds a constraint (or none of the plain ones is left).
   */
  static List<IndexBuild> next(List<IndexBuild> remaining, int workers) {
    List<IndexBuild> plain = new ArrayList<>();
    for (IndexBuild ix : remaining) {
      if (plain(ix) && plain.size() < workers) {
        plain.add(ix);
      }
    }
    return plain.isEmpty() ? List.of(remaining.get(0)) : plain;
  }

  /** True when the build only creates an index (and comments on it). */
  static boolean plain(IndexBuild ix) {
    return ix.statements().stream()
        .allMatch(
            s ->
                s.startsWith("CREATE INDEX ")
                    || s.startsWith("CREATE UNIQUE INDEX ")
                    || s.startsWith("COMMENT ON INDEX ")
                    || s.startsWith("SELECT set_config('default_tablespace'"));
  }

  /**
   * Builds {@code ix} on {@code session} in one transaction, counting it when {@code counted}
   * (secondary indexes; the key is not among them).
   */
  static void build(
      StepContext ctx, Connection session, IndexBuild ix, boolean counted, boolean alone)
      throws SQLException {
    try {
      Tx.run(
          session,
          ctx.lockTimeout(),
          ctx.settings().indexBuildTimeout(),
          c -> {
            if (Pacing.gentle(ctx.spec().backfill().maxRowsPerSecond()) || !alone) {
              // A parallel build takes every core it can get: a throttled migration leaves the
              // others to the application, and builds running side by side already share them.
              Tx.execute(c, "SET LOCAL max_parallel_maintenance_workers = 0");
            }
            for (String sql : ix.statements()) {
              Tx.execute(c, sql);
            }
            if (counted) {
              ctx.ledger()
                  .update(ctx.record().id())
                  .set("indexes_built = indexes_built + 1")
                  .execute(c, ctx.now());
            }
            return null;
          });
    } catch (SQLException e) {
      if ("23505".equals(e.getSQLState())) {
        throw new Duplicates(ix, e);
      }
      throw e;
    }
  }

  /**
   * The key, once the copy is done: in one transaction, the rows of every logged key out of the
   * shadow (replay re-reads them all from the original, and a batch may have copied one before it
   * changed, so that its old key and its new one would collide), then the key's index and
   * constraint. What is left are rows that no change touched since capture began, one per key, so a
   * duplicate now is one of the data under the new key's equality (two keys that a type change
   * makes equal), and the migration fails with the original table untouched.
   */
  static void buildKey(StepContext ctx, IndexBuild key) throws SQLException {
    try {
      Tx.run(
          ctx.conn(),
          ctx.lockTimeout(),
          ctx.settings().indexBuildTimeout(),
          c -> {
            if (Pacing.gentle(ctx.spec().backfill().maxRowsPerSecond())) {
              Tx.execute(c, "SET LOCAL max_parallel_maintenance_workers = 0");
            }
            if (ctx.plan().clearLogged() != null) {
              Tx.execute(c, ctx.plan().clearLogged());
            }
            for (String sql : key.statements()) {
              Tx.execute(c, sql);
            }
            return null;
          });
    } catch (SQLException e) {
      if ("23505".equals(e.getSQLState())) {
        throw EngineException.permanent(
            "the new table's primary key "
                + key.finalName()
                + " cannot be built: rows of the table have equal keys under it ("
                // The detail names the duplicated key.
                + String.valueOf(e.getMessage()).replaceAll("\\s*\\n\\s*", " ")
                + "); nothing was swapped");
      }
      throw e;
    }
  }

  /**
   * Duplicates can be transient: a value that moved between rows is still waiting in the log. The
   * log is replayed to the end and the build tried once more; a duplicate that is still there with
   * nothing left to replay is in the data.
   */
  static EngineException duplicates(StepContext ctx, Duplicates d) throws SQLException {
    Replays.forward(ctx, KeyRange.complete(ctx.record().backfillHigh()));
    if (Tx.queryLong(ctx.conn(), ctx.plan().logBacklog()) == 0) {
      try {
        build(ctx, ctx.conn(), d.index(), true, true);
        return null;
      } catch (Duplicates again) {
        if (Tx.queryLong(ctx.conn(), ctx.plan().logBacklog()) > 0) {
          return retry(again);
        }
      }
      return EngineException.permanent(
          "unique index "
              + d.index().finalName()
              + " cannot be built: the table's rows have duplicates ("
              // The detail names the duplicated key.
              + String.valueOf(d.getMessage()).replaceAll("\\s*\\n\\s*", " ")
              + "); nothing was swapped");
    }
    return retry(d);
  }

  private static EngineException retry(Duplicates d) {
    return new EngineException(
        "building unique index "
            + d.index().finalName()
            + " found duplicates; replaying and trying again ("
            + d.getMessage()
            + ")",
        true,
        "23505",
        d.sqlCause());
  }
}
