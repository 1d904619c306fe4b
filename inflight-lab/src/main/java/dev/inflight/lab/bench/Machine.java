package dev.inflight.lab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The machine a benchmark ran on, as far as the operating system tells, with its load average (1, 5
 * and 15 minutes) when the run started: other work on the machine shows in the results.
 */
public record Machine(
    String cpu,
    int cores,
    long memoryBytes,
    String os,
    String kernel,
    String virtualization,
    String dataFileSystem,
    String java,
    String loadAverage) {

  static Machine describe(Path dataDirectory) {
    return new Machine(
        firstValue(Path.of("/proc/cpuinfo"), "model name").orElse(System.getProperty("os.arch")),
        Runtime.getRuntime().availableProcessors(),
        firstValue(Path.of("/proc/meminfo"), "MemTotal")
            .map(v -> Long.parseLong(v.replaceAll("[^0-9]", "")) * 1024)
            .orElse(0L),
        firstValue(Path.of("/etc/os-release"), "PRETTY_NAME")
            .map(v -> v.replace("\"", ""))
            .orElse(System.getProperty("os.name")),
        System.getProperty("os.version"),
        read(Path.of("/sys/class/dmi/id/product_name")).orElse("unknown"),
        fileSystem(dataDirectory),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
        read(Path.of("/proc/loadavg"))
            .map(l -> String.join(" ", List.of(l.split(" ")).subList(0, 3)))
            .orElse("unknown"));
  }

  private static Optional<String> firstValue(Path file, String key) {
    try {
      List<String> lines = Files.readAllLines(file);
      for (String line : lines) {
        int sep = line.indexOf(line.contains("=") && !line.contains(":") ? '=' : ':');
        if (sep > 0 && line.substring(0, sep).trim().equals(key)) {
          return Optional.of(line.substring(sep + 1).trim());
        }
      }
    } catch (IOException e) {
      // Not Linux, or not readable: described as unknown.
    }
    return Optional.empty();
  }

  private static Optional<String> read(Path file) {
    try {
      return Optional.of(Files.readString(file).trim());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static String fileSystem(Path dir) {
    if (dir == null) {
      return "unknown (an existing server)";
    }
    try {
      var store = Files.getFileStore(dir);
      return store.type() + " (" + store.name() + ")";
    } catch (IOException e) {
      return "unknown";
    }
  }
}
