package dev.inflight.workload;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * Every statement an application ran: when it started, how long it took, what it was and whether it
 * failed. Windows of it answer the questions of the demo and the benchmark (the longest wait during
 * cut-over, the p99 before and during capture) without choosing them in advance.
 */
public final class StatementLog {
  /** What a statement did. */
  public enum Kind {
    /** Adds rows. */
    INSERT,
    /** Changes rows. */
    UPDATE,
    /** Removes rows. */
    DELETE,
    /** Changes nothing. */
    READ;

    /** True for every kind but {@link #READ}. */
    public boolean write() {
      return this != READ;
    }
  }

  /** One statement; times from {@link System#nanoTime()}. */
  public record Entry(long startNanos, long nanos, Kind kind, boolean ok) {
    public long endNanos() {
      return startNanos + nanos;
    }

    public double millis() {
      return nanos / 1e6;
    }
  }

  private final ConcurrentLinkedQueue<Entry> entries = new ConcurrentLinkedQueue<>();

  void record(long startNanos, long nanos, Kind kind, boolean ok) {
    entries.add(new Entry(startNanos, nanos, kind, ok));
  }

  /** Statements that ran at any moment of [from, to]: started before its end, ended after start. */
  public List<Entry> overlapping(long fromNanos, long toNanos, Predicate<Entry> filter) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries) {
      if (e.startNanos() <= toNanos && e.endNanos() >= fromNanos && filter.test(e)) {
        out.add(e);
      }
    }
    return out;
  }

  /** Statements that started within [from, to). */
  public List<Entry> started(long fromNanos, long toNanos, Predicate<Entry> filter) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries) {
      if (e.startNanos() >= fromNanos && e.startNanos() < toNanos && filter.test(e)) {
        out.add(e);
      }
    }
    return out;
  }

  /** Every statement so far that matches {@code filter}, in no particular order. */
  public List<Entry> select(Predicate<Entry> filter) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries) {
      if (filter.test(e)) {
        out.add(e);
      }
    }
    return out;
  }

  /** How many statements so far match {@code filter}. */
  public long count(Predicate<Entry> filter) {
    long n = 0;
    for (Entry e : entries) {
      if (filter.test(e)) {
        n++;
      }
    }
    return n;
  }

  /** Every statement so far, by start time. */
  public List<Entry> all() {
    List<Entry> out = new ArrayList<>(entries);
    out.sort(Comparator.comparingLong(Entry::startNanos));
    return out;
  }

  public static Predicate<Entry> writes() {
    return e -> e.kind().write();
  }

  public static Predicate<Entry> any() {
    return e -> true;
  }

  /** Statements of {@code kind} that succeeded. */
  public static Predicate<Entry> succeeded(Kind kind) {
    return e -> e.ok() && e.kind() == kind;
  }

  /** Writes that succeeded. */
  public static Predicate<Entry> succeededWrites() {
    return e -> e.ok() && e.kind().write();
  }

  /** The statements' latency summary. */
  public static Latency latency(List<Entry> es) {
    if (es.isEmpty()) {
      return new Latency(0, 0, 0, 0, 0, 0);
    }
    double[] ms = es.stream().mapToDouble(Entry::millis).sorted().toArray();
    long failed = es.stream().filter(e -> !e.ok()).count();
    return new Latency(
        es.size(),
        failed,
        quantile(ms, 0.5),
        quantile(ms, 0.99),
        quantile(ms, 0.999),
        ms[ms.length - 1]);
  }

  /** Nearest-rank quantile of sorted values. */
  static double quantile(double[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** Count, failures and latency quantiles in milliseconds. */
  public record Latency(long count, long failed, double p50, double p99, double p999, double max) {}
}
