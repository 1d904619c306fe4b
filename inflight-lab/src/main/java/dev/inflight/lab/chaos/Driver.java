package dev.inflight.lab.chaos;

import dev.inflight.cli.Main;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The process driving a migration: {@code inflight apply} or {@code inflight rollback} in a JVM of
 * its own, as a person or a job would run it, so that it can be killed with SIGKILL. Its output is
 * appended to one log per trial.
 */
public final class Driver {
  private final Path file;
  private final String jdbcUrl;
  private final Path log;
  private final List<String> exits = new ArrayList<>();
  private Process process;
  private String command;
  private boolean ended;

  public Driver(Path file, String jdbcUrl, Path log) {
    this.file = file;
    this.jdbcUrl = jdbcUrl;
    this.log = log;
  }

  /** Starts {@code inflight <command>}; a previous process must have ended. */
  public void start(String command) throws IOException {
    this.command = command;
    this.ended = false;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Files.writeString(
        log,
        "\n$ inflight " + command + "\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    process =
        new ProcessBuilder(
                java,
                // Short-lived: start fast, compile little.
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                command,
                "-f",
                file.toString(),
                "--jdbc-url",
                jdbcUrl,
                "--no-progress")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
  }

  /** Starts the last command again (to resume after a crash or an error exit). */
  public void restart() throws IOException {
    start(command);
  }

  public boolean alive() {
    return process != null && process.isAlive();
  }

  /** SIGKILL; returns once the process is gone. */
  public void kill() throws InterruptedException {
    if (alive()) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      exits.add(command + ": SIGKILL");
      ended = true;
    }
  }

  /** Waits up to {@code millis} for the process to exit; returns its exit code, or null. */
  public Integer await(long millis) throws InterruptedException {
    if (process == null || !process.waitFor(millis, TimeUnit.MILLISECONDS)) {
      return null;
    }
    int code = process.exitValue();
    if (!ended) {
      exits.add(command + ": " + code);
      ended = true;
    }
    return code;
  }

  /** How each process ended, in order: {@code apply: 0}, {@code apply: SIGKILL}. */
  public List<String> exits() {
    return exits;
  }

  public void stop() throws InterruptedException {
    if (alive()) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }
}
