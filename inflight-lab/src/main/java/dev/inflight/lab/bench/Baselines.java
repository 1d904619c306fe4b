package dev.inflight.lab.bench;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The methods Inflight is compared with, each run against its own copy of the same table under the
 * same application load. Each returns when it started and ended, in {@link System#nanoTime()}.
 */
final class Baselines {
  private Baselines() {}

  /** When a method ran, and how long its parts took (in milliseconds), where it has parts. */
  record Window(long startNanos, long endNanos, Map<String, Long> parts) {
    Window(long startNanos, long endNanos) {
      this(startNanos, endNanos, Map.of());
    }

    long millis() {
      return (endNanos - startNanos) / 1_000_000;
    }
  }

  /** {@link Scenario#physicalCopy()}: the lower bound of any copy. */
  static Window physicalCopy(String jdbcUrl) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        Statement st = c.createStatement()) {
      List<String> sql = Scenario.physicalCopy();
      long start = System.nanoTime();
      st.execute(sql.get(0));
      st.execute(sql.get(1));
      long copied = System.nanoTime();
      for (String s : sql.subList(2, sql.size())) {
        st.execute(s);
      }
      long end = System.nanoTime();
      Map<String, Long> parts = new LinkedHashMap<>();
      parts.put("INSERT ... SELECT", (copied - start) / 1_000_000);
      parts.put("primary key and 4 indexes", (end - copied) / 1_000_000);
      return new Window(start, end, parts);
    }
  }

  /** {@link Scenario#alterTable()}: the blocking rewrite, in one transaction. */
  static Window alterTable(String jdbcUrl) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      long start = System.nanoTime();
      for (String sql : Scenario.alterTable()) {
        st.execute(sql);
      }
      c.commit();
      return new Window(start, System.nanoTime());
    }
  }

  /**
   * Why pg_repack cannot run against this database, or null when it can: the extension must be
   * installable on the server and its client program present.
   */
  static String repackUnavailable(String jdbcUrl, Path program) throws SQLException {
    if (program == null || !Files.isExecutable(program)) {
      return "the pg_repack program is not installed (on Debian: apt-get install"
          + " postgresql-<major>-repack, and run the benchmark on that server with --pg-bin)";
    }
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_repack'")) {
      rs.next();
      if (rs.getInt(1) == 0) {
        return "the server has no pg_repack extension (on Debian: apt-get install"
            + " postgresql-<major>-repack, and run the benchmark on that server with --pg-bin)";
      }
    }
    return null;
  }

  /**
   * {@code pg_repack --no-order --table public.accounts}: its fastest mode (an online VACUUM FULL,
   * no sort), one index build at a time as Inflight does. The extension is created in the template,
   * before timing starts.
   */
  static Window pgRepack(String jdbcUrl, Path program, Path log)
      throws IOException, InterruptedException {
    URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
    String database = uri.getPath().substring(1);
    List<String> cmd = new ArrayList<>();
    cmd.add(program.toString());
    cmd.add("--no-order");
    cmd.add("--table=public." + Scenario.TABLE);
    cmd.add("--host=" + uri.getHost());
    cmd.add("--port=" + (uri.getPort() < 0 ? 5432 : uri.getPort()));
    cmd.add("--username=" + query(uri, "user", "postgres"));
    cmd.add("--dbname=" + database);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    String password = query(uri, "password", null);
    if (password != null) {
      pb.environment().put("PGPASSWORD", password);
    }
    long start = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(6, TimeUnit.HOURS)) {
      p.destroyForcibly();
      throw new IOException("pg_repack did not finish in 6 hours");
    }
    long end = System.nanoTime();
    if (p.exitValue() != 0) {
      throw new IOException(
          "pg_repack exited with "
              + p.exitValue()
              + ": "
              + Files.readString(log, StandardCharsets.UTF_8).trim());
    }
    return new Window(start, end);
  }

  private static String query(URI uri, String key, String fallback) {
    String q = uri.getQuery();
    if (q == null) {
      return fallback;
    }
    for (String kv : q.split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0 && kv.substring(0, eq).equals(key)) {
        return java.net.URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return fallback;
  }
}
