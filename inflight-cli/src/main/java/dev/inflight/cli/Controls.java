package dev.inflight.cli;

import dev.inflight.api.MigrationSpec;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.api.MigrationSpec.ControlSpec;
import dev.inflight.api.MigrationSpec.CutoverControl;

/** The command line's way to set the spec's control fields for one run. */
final class Controls {
  private Controls() {}

  static MigrationSpec with(MigrationSpec s, Action action, String approve, Boolean proceed) {
    ControlSpec c = s.control();
    ControlSpec next =
        new ControlSpec(
            approve == null ? c.approvedPlanHash() : approve,
            proceed == null ? c.cutover() : proceed ? CutoverControl.Proceed : c.cutover(),
            action);
    return s.withControl(next);
  }
}
