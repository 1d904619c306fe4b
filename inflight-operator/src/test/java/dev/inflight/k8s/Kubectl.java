package dev.inflight.k8s;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The kubectl built with the server, run as a user would run it. */
public final class Kubectl {
  /** How a kubectl command ended. */
  public record Result(int exitCode, String out, String err) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  private final Path binary;
  private final Path kubeconfig;

  Kubectl(Path binary, Path kubeconfig) {
    this.binary = binary;
    this.kubeconfig = kubeconfig;
  }

  /** Runs kubectl and waits for it, at most {@code timeout}. */
  public Result run(Duration timeout, String... args) {
    return start(args).await(timeout);
  }

  public Result run(String... args) {
    return run(Duration.ofSeconds(60), args);
  }

  /** Starts kubectl without waiting, for commands such as {@code wait} that block. */
  public Running start(String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    try {
      Path out = Files.createTempFile("kubectl-", ".out");
      Path err = Files.createTempFile("kubectl-", ".err");
      Process p =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      return new Running(p, out, err, String.join(" ", args));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command, e);
    }
  }

  /** A kubectl command in progress. */
  public static final class Running {
    private final Process process;
    private final Path out;
    private final Path err;
    private final String args;

    private Running(Process process, Path out, Path err, String args) {
      this.process = process;
      this.out = out;
      this.err = err;
      this.args = args;
    }

    public boolean isAlive() {
      return process.isAlive();
    }

    /** Resolves when the command ends. */
    public CompletableFuture<Process> onExit() {
      return process.onExit();
    }

    public Result await(Duration timeout) {
      try {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor();
          throw new IllegalStateException(
              "kubectl " + args + " did not end within " + timeout + ": " + read(err));
        }
        return new Result(process.exitValue(), read(out), read(err));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
        throw new IllegalStateException(e);
      } finally {
        if (!process.isAlive()) {
          out.toFile().delete();
          err.toFile().delete();
        }
      }
    }

    private static String read(Path p) {
      try {
        return Files.readString(p, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    }
  }
}
