package dev.inflight.engine;

/**
 * The table has another active migration. Unlike other refusals this one passes by itself: the
 * other migration ends (it is finalized, rolled back, cancelled or fails) and this one can start.
 */
public final class TableBusyException extends PlanRejectedException {
  private static final long serialVersionUID = 1L;

  public TableBusyException(String reason) {
    super(reason);
  }
}
