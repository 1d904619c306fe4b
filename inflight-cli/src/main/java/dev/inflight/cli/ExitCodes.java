package dev.inflight.cli;

/** Exit codes of every command. */
public final class ExitCodes {
  /**
   * Done: completed, rolled back, cancelled, finalized, or stopped at an approval or cut-over gate.
   */
  public static final int OK = 0;

  /** The migration failed, or the requested action is not possible now. */
  public static final int FAILED = 1;

  /** Bad input: an unreadable or invalid file, a refused plan, no database. */
  public static final int BAD_INPUT = 2;

  /** Interrupted before the migration settled; run the same command again to resume. */
  public static final int INTERRUPTED = 3;

  private ExitCodes() {}
}
