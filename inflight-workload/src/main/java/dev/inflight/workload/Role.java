package dev.inflight.workload;

import javax.sql.DataSource;

/**
 * Threads of an application that do the same thing: {@code threads} of them, each running {@code
 * perSecond} statements a second from {@code mix}, on connections from {@code pool}.
 */
public record Role(String name, int threads, int perSecond, DataSource pool, Mix mix) {
  public Role {
    if (threads < 0) {
      throw new IllegalArgumentException(name + ": threads must be at least 0, not " + threads);
    }
    if (perSecond < 1) {
      throw new IllegalArgumentException(
          name + ": statements per second must be at least 1, not " + perSecond);
    }
  }
}
