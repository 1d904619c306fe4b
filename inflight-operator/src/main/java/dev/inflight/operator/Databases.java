package dev.inflight.operator;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.inflight.engine.Engine;
import dev.inflight.engine.EngineSettings;
import dev.inflight.engine.sql.KeepOnStatementErrors;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * One bounded connection pool (and engine) per database account, shared by the migrations that use
 * it and closed when the last of them lets go.
 */
final class Databases implements AutoCloseable {
  /**
   * Connections per database account, opened only when used: a copying migration's workers take
   * what is free less one ({@code backfill.parallelism} is capped so), which is kept for the other
   * migrations' steps and status reads.
   */
  private static final int POOL_SIZE = 8;

  private record Entry(HikariDataSource pool, Engine engine, Set<String> users) {}

  private final Map<String, Entry> byKey = new HashMap<>();
  private final Map<String, String> keyByUser = new HashMap<>();
  private final Clock clock;
  private final EngineSettings settings;

  Databases(Clock clock, EngineSettings settings) {
    this.clock = clock;
    this.settings = settings;
  }

  /** The engine for these credentials, registered as used by {@code user} (a resource key). */
  synchronized Engine acquire(String user, Credentials c) {
    String key = c.poolKey();
    String previous = keyByUser.get(user);
    if (previous != null && !previous.equals(key)) {
      release(user);
    }
    Entry e = byKey.computeIfAbsent(key, k -> open(c));
    e.users().add(user);
    keyByUser.put(user, key);
    return e.engine();
  }

  /** The resource no longer needs its database; the pool closes when nobody else does. */
  synchronized void release(String user) {
    String key = keyByUser.remove(user);
    if (key == null) {
      return;
    }
    Entry e = byKey.get(key);
    e.users().remove(user);
    if (e.users().isEmpty()) {
      byKey.remove(key);
      e.pool().close();
    }
  }

  synchronized int openPools() {
    return byKey.size();
  }

  private Entry open(Credentials c) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(c.url());
    if (c.username() != null) {
      cfg.setUsername(c.username());
    }
    if (c.password() != null) {
      cfg.setPassword(c.password());
    }
    cfg.setMaximumPoolSize(POOL_SIZE);
    cfg.setMinimumIdle(0);
    cfg.setIdleTimeout(60_000);
    cfg.setConnectionTimeout(5_000);
    // Do not fail (or retry in a loop) when the database is down: each step reports it instead.
    cfg.setInitializationFailTimeout(-1);
    cfg.setExceptionOverride(new KeepOnStatementErrors());
    cfg.setPoolName("inflight-" + Integer.toHexString(c.poolKey().hashCode()));
    cfg.addDataSourceProperty("ApplicationName", "inflight");
    HikariDataSource pool = new HikariDataSource(cfg);
    return new Entry(
        pool, new Engine(pool, clock, settings, RandomGenerator.getDefault()), new HashSet<>());
  }

  @Override
  public synchronized void close() {
    byKey.values().forEach(e -> e.pool().close());
    byKey.clear();
    keyByUser.clear();
  }
}
