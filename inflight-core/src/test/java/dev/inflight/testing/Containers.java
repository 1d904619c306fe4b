package dev.inflight.testing;

import org.testcontainers.containers.PostgreSQLContainer;

/** The Docker path: a PostgreSQL container per major version (needs a Docker engine). */
final class Containers {
  private Containers() {}

  @SuppressWarnings("resource")
  static PostgresServer start(int major) {
    PostgreSQLContainer<?> c = new PostgreSQLContainer<>("postgres:" + major);
    c.start();
    String url = c.getJdbcUrl();
    String prefix = url.substring(0, url.lastIndexOf('/') + 1);
    return PostgresServer.of(major, prefix, c.getUsername(), c.getPassword());
  }
}
