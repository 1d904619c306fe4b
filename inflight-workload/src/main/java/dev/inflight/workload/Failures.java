package dev.inflight.workload;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The statements of an application that failed, counted by SQLSTATE and first line of the error:
 * what a person reading a report needs to tell a lock timeout from a lost connection.
 */
public final class Failures {
  /** One kind of failure; {@code sqlState} is {@value #NO_SQLSTATE} when the driver gave none. */
  public record Failure(String sqlState, String message) {
    @Override
    public String toString() {
      return message + " [" + sqlState + "]";
    }
  }

  /** The SQLSTATE of an error the driver reported without one (an I/O error, for one). */
  public static final String NO_SQLSTATE = "none";

  private final Map<Failure, AtomicLong> counts = new ConcurrentHashMap<>();

  /** Counts one failed statement. */
  public void record(SQLException e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    Failure failure =
        new Failure(
            Objects.requireNonNullElse(e.getSQLState(), NO_SQLSTATE),
            newline < 0 ? message : message.substring(0, newline));
    counts.computeIfAbsent(failure, f -> new AtomicLong()).incrementAndGet();
  }

  public boolean isEmpty() {
    return counts.isEmpty();
  }

  public long total() {
    return counts.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Each kind of failure and how often it happened, the most frequent first. */
  public Map<Failure, Long> counts() {
    Map<Failure, Long> out = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue().get(), a.getValue().get()))
        .forEach(e -> out.put(e.getKey(), e.getValue().get()));
    return out;
  }

  /** Failures by first line of the error. */
  public Map<String, Long> byMessage() {
    Map<String, Long> out = new LinkedHashMap<>();
    counts().forEach((f, n) -> out.merge(f.message(), n, Long::sum));
    return out;
  }

  /** Failures by SQLSTATE. */
  public Map<String, Long> bySqlState() {
    Map<String, Long> out = new LinkedHashMap<>();
    counts().forEach((f, n) -> out.merge(f.sqlState(), n, Long::sum));
    return out;
  }

  @Override
  public String toString() {
    return counts().toString();
  }
}
