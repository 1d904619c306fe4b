package dev.inflight.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands each test a fresh database on the run's shared server. The major version comes from
 * {@code @PgVersion} on the test class, else from {@code -Dinflight.test.pgMajor}.
 */
public final class PostgresExtension implements ParameterResolver {
  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == TestDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    int major =
        e.getTestClass()
            .map(c -> c.getAnnotation(PgVersion.class))
            .map(PgVersion::value)
            .orElse(PostgresServer.defaultMajor());
    try {
      PostgresServer server = PostgresServer.get(major);
      TestDatabase db = new TestDatabase(server.createDatabase(e.getDisplayName()), major);
      // Closed with the test: JUnit closes a CloseableResource in the store when its context ends
      // (a plain AutoCloseable only from 5.13), and every test's pool otherwise keeps its
      // connections to the shared server until the run ends.
      ExtensionContext.Store.CloseableResource pool = db::close;
      e.getStore(ExtensionContext.Namespace.create(PostgresExtension.class, e.getUniqueId()))
          .put("db", pool);
      return db;
    } catch (Exception ex) {
      throw new IllegalStateException(ex);
    }
  }
}
