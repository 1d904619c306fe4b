package dev.inflight.cli.demo;

import java.util.concurrent.atomic.AtomicLongArray;

/** Latencies in buckets of 1/8 of a power of two, from 1 microsecond up: cheap and lock-free. */
final class LatencyHistogram {
  private static final int SUB = 8;
  private final AtomicLongArray buckets = new AtomicLongArray(64 * SUB);

  void record(long nanos) {
    buckets.incrementAndGet(bucket(Math.max(1, nanos / 1000)));
  }

  private static int bucket(long micros) {
    int exp = 63 - Long.numberOfLeadingZeros(micros);
    int sub = exp < 3 ? 0 : (int) ((micros >> (exp - 3)) & (SUB - 1));
    return exp * SUB + sub;
  }

  private static double upper(int bucket) {
    int exp = bucket / SUB;
    int sub = bucket % SUB;
    return Math.pow(2, exp) * (1 + (sub + 1) / (double) SUB) / 1000.0;
  }

  /** The latency in milliseconds under which {@code q} of the samples fall. */
  double quantileMillis(double q) {
    long total = 0;
    for (int i = 0; i < buckets.length(); i++) {
      total += buckets.get(i);
    }
    if (total == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < buckets.length(); i++) {
      seen += buckets.get(i);
      if (seen >= rank) {
        return upper(i);
      }
    }
    return upper(buckets.length() - 1);
  }
}
