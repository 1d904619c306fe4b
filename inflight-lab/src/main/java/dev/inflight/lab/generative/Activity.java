package dev.inflight.lab.generative;

import java.util.Locale;

/**
 * What the application and other sessions do while the migration runs. A case draws a set of them;
 * writer threads choose among the drawn writes, each on rows only it owns.
 */
public enum Activity {
  /** Single-row inserts; always drawn, so the table keeps changing. */
  INSERT(false),
  /** Single-row updates of the non-key columns. */
  UPDATE(false),
  /** One statement updating several rows (a transition table of many rows). */
  MULTI_UPDATE(false),
  /** Primary-key changes: to a new key, or to one that compares equal with other bytes. */
  KEY_UPDATE(false),
  /** Deletes. */
  DELETE(false),
  /** {@code INSERT ... ON CONFLICT (key) DO UPDATE}, on new and existing keys. */
  UPSERT(false),
  /** {@code MERGE}, inserting or updating. */
  MERGE(false),
  /** {@code COPY ... FROM STDIN} of a few new rows. */
  COPY(false),
  /** {@code TRUNCATE} and a refill of part of the rows, in one transaction. */
  TRUNCATE_REFILL(false),
  /**
   * A unique value moved from one row to another through a temporary value, and the "chosen" flag
   * moved under its partial unique index. Needs a shape with unique columns. One of the dimensions
   * that came with their engine fix (replay of values moving between rows).
   */
  UNIQUE_SWAP(true),
  /** Writes under {@code session_replication_role = replica}, as ETL loaders make them. */
  REPLICA_ROLE(false),
  /** Transactions of several writes that stay open for up to 1.5 s. */
  LONG_TRANSACTION(false),
  /** Two-phase commits: {@code PREPARE TRANSACTION}, a pause, {@code COMMIT PREPARED}. */
  PREPARED_TRANSACTION(false),
  /**
   * REPEATABLE READ transactions that take their snapshot, wait, then update and insert their rows:
   * a snapshot that may predate the swap.
   */
  REPEATABLE_READ(false),
  /**
   * Another session creates a view, a grant and another table's foreign key on the table while the
   * migration runs. One of the dimensions that came with their engine fix (carrying objects created
   * during the migration).
   */
  OTHERS_OBJECTS(true);

  private final boolean pendingFix;

  Activity(boolean pendingFix) {
    this.pendingFix = pendingFix;
  }

  /**
   * True for the dimensions that were added with the engine fix they prove. They are drawn by
   * default; {@code --no-pending-fixes} leaves them out, to compare a run with and without them.
   */
  public boolean pendingFix() {
    return pendingFix;
  }

  public String cliName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Activity parse(String s) {
    return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
  }
}
