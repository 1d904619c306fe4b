package dev.inflight.engine;

import java.util.List;

/** The spec cannot be carried out safely; nothing was changed. Each reason names what to fix. */
public class PlanRejectedException extends EngineException {
  private static final long serialVersionUID = 1L;
  private final List<String> reasons;

  public PlanRejectedException(List<String> reasons) {
    super("plan refused: " + String.join("; ", reasons), false, null, null);
    this.reasons = List.copyOf(reasons);
  }

  public PlanRejectedException(String reason) {
    this(List.of(reason));
  }

  public List<String> reasons() {
    return reasons;
  }
}
