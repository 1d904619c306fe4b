package dev.inflight.cli;

import dev.inflight.engine.Engine;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.ledger.MigrationRecord;
import java.io.PrintStream;
import java.sql.SQLException;
import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a migration's progress: a progress bar with rows, rate and ETA while copying on a terminal,
 * one line per phase change (and every few seconds while copying) otherwise.
 */
final class ProgressReporter implements Consumer<StepResult>, AutoCloseable {
  private final Engine engine;
  private final long id;
  private final PrintStream out;
  private final boolean bar;
  private MigrationPhase lastPhase;
  private StepResult.Throttle lastThrottle;
  private ProgressBar progress;
  private long lastLine;

  ProgressReporter(Engine engine, long id, PrintStream out, boolean interactive) {
    this.engine = engine;
    this.id = id;
    this.out = out;
    this.bar = interactive;
  }

  @Override
  public void accept(StepResult r) {
    MigrationRecord m;
    try {
      m = engine.get(id);
    } catch (SQLException e) {
      out.println("  (cannot read progress: " + e.getMessage() + ")");
      return;
    }
    if (m.phase() != lastPhase) {
      closeBar();
      out.printf("%-16s %s%n", m.phase(), message(r));
      lastPhase = m.phase();
    } else if (r instanceof StepResult.Waiting w && w.reason() != StepResult.WaitReason.Throttled) {
      out.printf("%-16s %s%n", m.phase(), w.message());
    } else if (r instanceof StepResult.Waiting w
        && w.throttle() != StepResult.Throttle.MaxRowsPerSecond
        && w.throttle() != lastThrottle) {
      // A standby, a slot or the application's load holds the copy back: say which, once, rather
      // than leave the bar standing still. Pacing by maxRowsPerSecond is what was asked for.
      out.printf("%-16s %s%n", m.phase(), w.message());
    }
    lastThrottle = r instanceof StepResult.Waiting w ? w.throttle() : null;
    if (m.phase() == MigrationPhase.Backfilling) {
      long max = Math.max(m.rowsEstimated(), m.rowsCopied());
      if (bar) {
        if (progress == null) {
          progress =
              new ProgressBarBuilder()
                  .setTaskName("copy")
                  .setInitialMax(max)
                  .setStyle(ProgressBarStyle.ASCII)
                  .setUnit(" rows", 1)
                  .showSpeed()
                  .setUpdateIntervalMillis(250)
                  .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out))
                  .build();
        }
        progress.maxHint(max);
        progress.stepTo(m.rowsCopied());
        progress.setExtraMessage(m.phase().name());
      } else if (System.currentTimeMillis() - lastLine > 5000) {
        lastLine = System.currentTimeMillis();
        out.printf("%-16s %d of about %d rows copied%n", m.phase(), m.rowsCopied(), max);
      }
    }
  }

  private static String message(StepResult r) {
    if (r instanceof StepResult.Progress p) {
      return p.message();
    } else if (r instanceof StepResult.Waiting w) {
      return w.message();
    } else if (r instanceof StepResult.Done d) {
      return d.message();
    }
    return ((StepResult.Failed) r).reason();
  }

  private void closeBar() {
    if (progress != null) {
      progress.close();
      progress = null;
    }
  }

  @Override
  public void close() {
    closeBar();
  }
}
