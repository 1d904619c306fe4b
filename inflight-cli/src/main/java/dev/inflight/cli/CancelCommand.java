package dev.inflight.cli;

import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.engine.MigrationPhase;
import picocli.CommandLine.Command;

/** Stops a migration before cut-over and removes what it built. */
@Command(
    name = "cancel",
    description =
        "Before cut-over: drop the shadow table, logs and triggers; the table is untouched.")
final class CancelCommand extends ActionCommand {
  @Override
  Action action() {
    return Action.Cancel;
  }

  @Override
  MigrationPhase goal() {
    return MigrationPhase.Cancelled;
  }
}
