package dev.inflight.cli;

import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.engine.MigrationPhase;
import picocli.CommandLine.Command;

/** Ends the rollback window now. */
@Command(
    name = "finalize",
    description = "After cut-over: drop the archived table; rollback is then impossible.")
final class FinalizeCommand extends ActionCommand {
  @Override
  Action action() {
    return Action.Finalize;
  }

  @Override
  MigrationPhase goal() {
    return MigrationPhase.Finalized;
  }
}
