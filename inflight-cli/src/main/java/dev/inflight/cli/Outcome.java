package dev.inflight.cli;

import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.StepResult.WaitReason;
import java.io.PrintStream;

/** Turns the last step of a command into its final line and exit code. */
final class Outcome {
  private Outcome() {}

  static int report(
      StepResult r, MigrationPhase goal, String fileArg, PrintStream out, PrintStream err) {
    if (r instanceof StepResult.Failed f) {
      err.println("inflight: migration failed: " + f.reason());
      return ExitCodes.FAILED;
    }
    if (r instanceof StepResult.Done d) {
      if (d.phase() == goal
          || (goal == MigrationPhase.Completed && d.phase() == MigrationPhase.Finalized)) {
        out.println(d.message());
        return ExitCodes.OK;
      }
      err.println("inflight: the migration is " + d.phase() + ", not " + goal + ": " + d.message());
      return ExitCodes.FAILED;
    }
    if (r instanceof StepResult.Waiting w) {
      if (w.reason() == WaitReason.AwaitingApproval) {
        out.println(
            "waiting for approval: "
                + w.message()
                + "\n  to approve: inflight apply -f "
                + fileArg
                + " --approve "
                + w.message().replaceAll(".*(sha256:[0-9a-f]{64}).*", "$1"));
        return ExitCodes.OK;
      }
      if (w.reason() == WaitReason.AwaitingCutover) {
        out.println(
            "in sync and verified; waiting for the cut-over\n  to swap: inflight apply -f "
                + fileArg
                + " --proceed");
        return ExitCodes.OK;
      }
      if (w.reason() == WaitReason.ActionRefused || w.reason() == WaitReason.RollbackUnavailable) {
        err.println("inflight: " + w.message());
        return ExitCodes.FAILED;
      }
      err.println(
          "inflight: stopped while waiting ("
              + w.reason()
              + "): "
              + w.message()
              + "; run the command again to resume");
      return ExitCodes.INTERRUPTED;
    }
    err.println(
        "inflight: stopped in " + r.phase() + " (time limit); run the command again to resume");
    return ExitCodes.INTERRUPTED;
  }
}
