package dev.inflight.lab.chaos;

import static dev.inflight.engine.MigrationPhase.Backfilling;
import static dev.inflight.engine.MigrationPhase.Completed;
import static dev.inflight.engine.MigrationPhase.CreatingShadow;
import static dev.inflight.engine.MigrationPhase.CuttingOver;
import static dev.inflight.engine.MigrationPhase.Planning;
import static dev.inflight.engine.MigrationPhase.RollingBack;
import static dev.inflight.engine.MigrationPhase.Syncing;

import dev.inflight.engine.MigrationPhase;
import java.util.List;
import java.util.Locale;

/** The faults a chaos trial injects, and the phases each is aimed at. */
public enum Fault {
  /** SIGKILL of the process running {@code inflight apply} or {@code rollback}. */
  KILL(
      "SIGKILL of the process driving the migration",
      List.of(Planning, CreatingShadow, Backfilling, Syncing, CuttingOver, Completed, RollingBack)),
  /**
   * {@code pg_terminate_backend} of every connection of the driving process, one to three times.
   */
  TERMINATE(
      "pg_terminate_backend of the driving process's connections",
      List.of(CreatingShadow, Backfilling, Syncing, CuttingOver, Completed, RollingBack)),
  /** {@code pg_ctl restart -m fast}: clients are disconnected, open transactions rolled back. */
  RESTART_FAST(
      "PostgreSQL restart, fast shutdown", List.of(Backfilling, Syncing, CuttingOver, RollingBack)),
  /** {@code pg_ctl restart -m immediate}: every server process killed, crash recovery on start. */
  RESTART_IMMEDIATE(
      "PostgreSQL restart, immediate shutdown (crash recovery)",
      List.of(Backfilling, Syncing, CuttingOver, RollingBack)),
  /**
   * A transaction holding a lock on the table for 1 to 6 seconds when the swap wants its lock,
   * either running a query or idle in transaction.
   */
  LONG_TRANSACTION(
      "a long transaction holding a lock at cut-over", List.of(CuttingOver, RollingBack)),
  /**
   * For 1 to 3 seconds, every statement of the driving process that runs longer than 10 ms is
   * cancelled, as a {@code statement_timeout} of 10 ms would (SQLSTATE 57014).
   */
  STATEMENT_TIMEOUT(
      "statements of the migration cancelled by a statement timeout",
      List.of(Backfilling, Syncing, CuttingOver)),
  /**
   * The database lives in a tablespace on a small file system that the shadow table fills; space is
   * freed (ballast dropped) after the migration has reacted.
   */
  DISK_FULL("the database's file system fills up during the copy", List.of(Backfilling));

  private final String description;
  private final List<MigrationPhase> targets;

  Fault(String description, List<MigrationPhase> targets) {
    this.description = description;
    this.targets = targets;
  }

  public String description() {
    return description;
  }

  /** The phases this fault is injected in. */
  public List<MigrationPhase> targets() {
    return targets;
  }

  /** The command-line name: {@code restart-fast}. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Fault parse(String s) {
    return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
  }
}
