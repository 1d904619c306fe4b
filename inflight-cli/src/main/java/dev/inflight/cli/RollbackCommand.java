package dev.inflight.cli;

import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.engine.MigrationPhase;
import picocli.CommandLine.Command;

/** Swaps back to the original table after cut-over, without losing writes. */
@Command(
    name = "rollback",
    description = "After cut-over: swap back to the original table, keeping every write.")
final class RollbackCommand extends ActionCommand {
  @Override
  Action action() {
    return Action.Rollback;
  }

  @Override
  MigrationPhase goal() {
    return MigrationPhase.RolledBack;
  }
}
