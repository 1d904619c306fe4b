package dev.inflight.engine.phase;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A step's workers: the same task on several database sessions at once, the step's own session
 * (which holds the migration's lock) being the first. Each worker takes its units of work from the
 * ledger under row locks (see {@link dev.inflight.engine.sync.CopyRanges}), so the workers need no
 * other coordination than a shared request to stop: the first failure asks the others to stop after
 * their current unit, and the step reports that failure once every worker has ended. Nothing a
 * worker does outlives the step: its sessions are closed before the step returns.
 */
final class Workers {
  /** One worker's loop; it returns when its work is done or {@link Crew#stopping()} says so. */
  @FunctionalInterface
  interface Task<T> {
    T run(Connection session, int worker, Crew crew) throws SQLException;
  }

  /** What the workers of one step share. */
  static final class Crew {
    private final AtomicBoolean stop = new AtomicBoolean();

    /** Asks every worker to end after its current unit of work. */
    void stop() {
      stop.set(true);
    }

    boolean stopping() {
      return stop.get();
    }
  }

  private Workers() {}

  /**
   * Runs {@code task} on {@code count} workers and returns their results, in worker order (null for
   * a worker that could not get a session: the others take its share).
   */
  static <T> List<T> run(StepContext ctx, int count, Task<T> task) throws SQLException {
    Crew crew = new Crew();
    List<Outcome<T>> outcomes = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 1; w < count; w++) {
      Outcome<T> outcome = new Outcome<>();
      outcomes.add(outcome);
      int worker = w;
      Thread t =
          new Thread(
              () -> {
                Connection session;
                try {
                  session = ctx.sessions().open();
                } catch (SQLException e) {
                  // The pool had none to spare after all: the others do the work without this one.
                  return;
                }
                try (session) {
                  outcome.result = task.run(session, worker, crew);
                } catch (SQLException | RuntimeException | Error e) {
                  outcome.failure = e;
                  crew.stop();
                }
              },
              "inflight-worker-" + ctx.record().id() + "-" + w);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    Outcome<T> own = new Outcome<>();
    try {
      own.result = task.run(ctx.conn(), 0, crew);
    } catch (SQLException | RuntimeException | Error e) {
      own.failure = e;
      crew.stop();
    }
    boolean interrupted = false;
    for (Thread t : threads) {
      while (true) {
        try {
          t.join();
          break;
        } catch (InterruptedException e) {
          // The workers end on their own after their current unit; wait for them all the same, so
          // that no session outlives the step.
          interrupted = true;
          crew.stop();
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    outcomes.add(0, own);
    Throwable first = null;
    for (Outcome<T> o : outcomes) {
      if (o.failure != null) {
        if (first == null) {
          first = o.failure;
        } else if (first != o.failure) {
          first.addSuppressed(o.failure);
        }
      }
    }
    if (first instanceof SQLException s) {
      throw s;
    }
    if (first instanceof RuntimeException r) {
      throw r;
    }
    if (first instanceof Error e) {
      throw e;
    }
    List<T> results = new ArrayList<>();
    outcomes.forEach(o -> results.add(o.result));
    return results;
  }

  private static final class Outcome<T> {
    T result;
    Throwable failure;
  }
}
