package dev.inflight.engine.plan;

import java.util.List;

/** Rules on the table are not carried: the table is refused at Planning while it has one. */
final class RuleCarry implements CarriedKind {
  private final CarryScope scope;

  RuleCarry(CarryScope scope) {
    this.scope = scope;
  }

  @Override
  public List<String> refusals() {
    return scope.props.rules().stream()
        .map(
            rule ->
                "rule " + rule + " is defined on the table; rules are not carried across the swap")
        .toList();
  }

  @Override
  public List<String> swap(Direction direction) {
    return List.of();
  }
}
