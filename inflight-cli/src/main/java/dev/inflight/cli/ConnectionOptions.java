package dev.inflight.cli;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.inflight.engine.sql.KeepOnStatementErrors;
import picocli.CommandLine.Option;

/** Where the database is: {@code --jdbc-url} or {@code INFLIGHT_JDBC_URL}, credentials optional. */
public final class ConnectionOptions {
  @Option(
      names = "--jdbc-url",
      paramLabel = "URL",
      description = "JDBC URL of the database (default: $INFLIGHT_JDBC_URL)",
      defaultValue = "${env:INFLIGHT_JDBC_URL}")
  String jdbcUrl;

  @Option(
      names = "--user",
      paramLabel = "USER",
      description = "database user (default: from the URL or $INFLIGHT_USER)",
      defaultValue = "${env:INFLIGHT_USER}")
  String user;

  @Option(
      names = "--password",
      paramLabel = "PASSWORD",
      description = "database password (default: from the URL or $INFLIGHT_PASSWORD)",
      defaultValue = "${env:INFLIGHT_PASSWORD}")
  String password;

  /** A small pool for one command; the caller closes it. */
  public HikariDataSource open() {
    if (jdbcUrl == null || jdbcUrl.isBlank()) {
      throw new UsageProblem(
          "no database: pass --jdbc-url jdbc:postgresql://host/db or set INFLIGHT_JDBC_URL");
    }
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new UsageProblem("--jdbc-url must start with jdbc:postgresql:");
    }
    // Opened only when used: room for a copy's workers (backfill.parallelism up to 9).
    return pool(jdbcUrl, user, password, 10);
  }

  static HikariDataSource pool(String url, String user, String password, int size) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url);
    if (user != null && !user.isBlank()) {
      cfg.setUsername(user);
    }
    if (password != null && !password.isBlank()) {
      cfg.setPassword(password);
    }
    cfg.setMaximumPoolSize(size);
    cfg.setMinimumIdle(0);
    cfg.setPoolName("inflight");
    cfg.setConnectionTimeout(15_000);
    cfg.setInitializationFailTimeout(-1);
    cfg.addDataSourceProperty("ApplicationName", "inflight");
    cfg.setExceptionOverride(new KeepOnStatementErrors());
    return new HikariDataSource(cfg);
  }
}
