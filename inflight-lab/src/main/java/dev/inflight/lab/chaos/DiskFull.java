package dev.inflight.lab.chaos;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small file system for a tablespace, so that a database can run out of disk: a size-limited
 * tmpfs mounted by this process (which needs the right to mount, as root in most containers has).
 * Ballast tables fill it until PostgreSQL reports {@code 53100 disk_full}; some are dropped to
 * leave a chosen amount of room, and all of them to free the disk again.
 */
final class DiskFull implements AutoCloseable {
  /** Ballast tables of about 256 KiB of incompressible rows. */
  private static final String BALLAST =
      "CREATE TABLE %s AS SELECT g, md5(g::text) AS a, md5((g * 7)::text) AS b"
          + " FROM generate_series(1, 2600) g";

  static final long BALLAST_BYTES = 256 * 1024;

  private final Path dir;
  private int ballast;

  private DiskFull(Path dir) {
    this.dir = dir;
  }

  /** Mounts a tmpfs of {@code bytes} at a new directory under {@code parent}. */
  static DiskFull mount(Path parent, long bytes) throws IOException {
    Path dir = Files.createTempDirectory(parent, "small-disk-");
    run("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0700", "tmpfs", dir.toString());
    return new DiskFull(dir);
  }

  /** Why a small file system cannot be mounted here, or null when it can. */
  static String unavailable(Path parent) {
    try (DiskFull probe = mount(parent, 1024 * 1024)) {
      return null;
    } catch (IOException e) {
      return "cannot mount a size-limited tmpfs for a tablespace (needs root with CAP_SYS_ADMIN): "
          + e.getMessage();
    }
  }

  Path directory() {
    return dir;
  }

  /**
   * Fills the file system with ballast until it is full, then drops ballast until about {@code
   * room} bytes are free.
   */
  void fillLeaving(Connection c, long room) throws SQLException {
    try (Statement st = c.createStatement()) {
      while (true) {
        try {
          st.execute(String.format(BALLAST, "ballast_" + (ballast + 1)));
          ballast++;
        } catch (SQLException e) {
          if ("53100".equals(e.getSQLState())) {
            break;
          }
          throw e;
        }
        if (ballast > 100_000) {
          throw new SQLException("the tablespace never filled up");
        }
      }
      long drop = Math.min(ballast, (room + BALLAST_BYTES - 1) / BALLAST_BYTES);
      for (long i = 0; i < drop; i++) {
        st.execute("DROP TABLE ballast_" + ballast--);
      }
    }
  }

  /** Drops every ballast table: the disk has room again. */
  void free(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      while (ballast > 0) {
        st.execute("DROP TABLE IF EXISTS ballast_" + ballast--);
      }
    }
  }

  @Override
  public void close() throws IOException {
    try {
      run("umount", "-l", dir.toString());
    } finally {
      Files.deleteIfExists(dir);
    }
  }

  private static void run(String... command) throws IOException {
    Process p =
        new ProcessBuilder(List.of(command))
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + ": " + out.trim());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
