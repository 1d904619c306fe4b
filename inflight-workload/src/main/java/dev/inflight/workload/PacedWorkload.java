package dev.inflight.workload;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An application at a steady rate, the way a service under constant traffic behaves: each thread of
 * each {@link Role} runs a statement of its mix at fixed intervals, on a connection from its pool.
 * Every statement lands in a {@link StatementLog} (when, how long, what, whether it failed) and
 * every failure in {@link Failures}.
 *
 * <p>A thread that was held up (by a lock) catches up afterwards at full speed, as a service with
 * queued requests does; only the statement that waited shows the wait. While paused, threads skip
 * their turns instead of queueing them.
 */
public final class PacedWorkload implements AutoCloseable {
  private static final long JOIN_MILLIS = 120_000;

  private final List<Role> roles;
  private final StatementLog log = new StatementLog();
  private final Failures failures = new Failures();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicBoolean paused = new AtomicBoolean(false);
  private final AtomicLong inFlight = new AtomicLong();

  public PacedWorkload(List<Role> roles) {
    this.roles = List.copyOf(roles);
  }

  /** Starts every role's threads. */
  public void start() {
    for (Role role : roles) {
      for (int i = 0; i < role.threads(); i++) {
        Thread t = new Thread(() -> loop(role), role.name() + "-" + i);
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }
    }
  }

  /** Stops issuing statements and returns once none is in flight. */
  public void pause() throws InterruptedException {
    paused.set(true);
    while (inFlight.get() > 0) {
      Thread.sleep(2);
    }
  }

  public void resume() {
    paused.set(false);
  }

  public StatementLog log() {
    return log;
  }

  public Failures failures() {
    return failures;
  }

  private void loop(Role role) {
    long interval = TimeUnit.SECONDS.toNanos(1) / role.perSecond();
    long next = System.nanoTime();
    while (running.get()) {
      next += interval;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      inFlight.incrementAndGet();
      try {
        if (running.get() && !paused.get()) {
          statement(role);
        }
      } finally {
        inFlight.decrementAndGet();
      }
    }
  }

  private void statement(Role role) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Mix.Choice choice = role.mix().pick(random);
    long start = System.nanoTime();
    boolean ok = true;
    try (Connection c = role.pool().getConnection()) {
      choice.operation().run(c, random);
    } catch (SQLException e) {
      ok = false;
      failures.record(e);
    }
    log.record(start, System.nanoTime() - start, choice.kind(), ok);
  }

  /** Stops the threads, letting each finish its statement. */
  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(JOIN_MILLIS);
    }
  }
}
