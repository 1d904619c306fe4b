package dev.inflight.engine;

import dev.inflight.api.ConditionType;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.api.MigrationStatus.Condition;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.engine.plan.Plan;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The conditions of a migration, derived from the ledger and the current intent, following
 * Kubernetes conventions and kstatus: {@code Ready} when the intent is reached, {@code Reconciling}
 * while work towards it goes on, {@code Stalled} when it cannot go on without help. All seven are
 * always present.
 */
public final class Conditions {
  private Conditions() {}

  public static List<Condition> of(
      MigrationRecord m, MigrationSpec spec, Plan plan, boolean rollbackAvailable, Instant now) {
    String t = now.toString();
    List<Condition> out = new ArrayList<>();
    Action action = spec.control().action();
    boolean ready = intentReached(m.phase(), action);
    ConditionReason stalledReason = stalledReason(m, spec);
    boolean waitingForPerson = waitingForPerson(m, spec);
    out.add(
        c(
            ConditionType.Ready,
            ready,
            ready ? ConditionReason.IntentReached.name() : m.phase().name(),
            message(m, spec, plan),
            t));
    // Waiting for a person is still in progress: kstatus (Flux wait) and sync waves must not
    // treat a migration at its approval or cut-over gate as done.
    boolean reconciling = !ready && stalledReason == null;
    out.add(
        c(
            ConditionType.Reconciling,
            reconciling,
            reconciling
                ? (waitingForPerson ? personReason(spec, m) : m.phase().name())
                : ConditionReason.Idle.name(),
            reconciling ? message(m, spec, plan) : "",
            t));
    out.add(
        c(
            ConditionType.Stalled,
            stalledReason != null,
            (stalledReason == null ? ConditionReason.NotStalled : stalledReason).name(),
            stalledReason == null ? "" : stalledMessage(m),
            t));
    out.add(
        c(
            ConditionType.Planned,
            true,
            ConditionReason.PlanComputed.name(),
            "plan " + plan.hash(),
            t));
    boolean approved =
        !spec.approval().required()
            || plan.hash().equals(spec.control().approvedPlanHash())
            || m.phase().ordinal() >= MigrationPhase.CreatingShadow.ordinal();
    out.add(
        c(
            ConditionType.Approved,
            approved,
            !spec.approval().required()
                ? ConditionReason.ApprovalNotRequired.name()
                : approved
                    ? ConditionReason.PlanApproved.name()
                    : ConditionReason.AwaitingApproval.name(),
            approved ? "" : "set control.approvedPlanHash to " + plan.hash(),
            t));
    boolean cutoverReady =
        m.phase() == MigrationPhase.AwaitingCutover
            || m.phase() == MigrationPhase.CuttingOver
            || !m.phase().beforeCutover()
                && m.phase() != MigrationPhase.Failed
                && m.phase() != MigrationPhase.Cancelled;
    out.add(
        c(
            ConditionType.CutoverReady,
            cutoverReady,
            (cutoverReady ? ConditionReason.InSyncAndVerified : ConditionReason.NotInSync).name(),
            "",
            t));
    out.add(
        c(
            ConditionType.RollbackAvailable,
            rollbackAvailable,
            rollbackAvailable
                ? ConditionReason.ArchivedTableInSync.name()
                : rollbackReason(m, plan),
            rollbackAvailable
                ? "until " + m.rollbackUntil()
                : m.rollbackError() == null ? "" : m.rollbackError(),
            t));
    return out;
  }

  static boolean intentReached(MigrationPhase phase, Action action) {
    return switch (action) {
      case Run, Pause -> phase == MigrationPhase.Completed || phase == MigrationPhase.Finalized;
      case Cancel -> phase == MigrationPhase.Cancelled;
      case Rollback -> phase == MigrationPhase.RolledBack;
      case Finalize -> phase == MigrationPhase.Finalized;
    };
  }

  private static String personReason(MigrationSpec spec, MigrationRecord m) {
    return spec.control().action() == Action.Pause
        ? ConditionReason.Paused.name()
        : m.phase().name();
  }

  private static ConditionReason stalledReason(MigrationRecord m, MigrationSpec spec) {
    Action a = spec.control().action();
    if (m.phase() == MigrationPhase.Failed || m.failure() != null) {
      return ConditionReason.Failed;
    }
    if (m.phase().terminal()
        && !intentReached(m.phase(), a)
        && (a == Action.Run || a == Action.Pause)) {
      // Cancelled or rolled back, then set to Run again: a finished migration does not run again.
      return ConditionReason.Finished;
    }
    if (m.consecutiveErrors() >= 3) {
      return ConditionReason.RetryingAfterErrors;
    }
    if ((a == Action.Cancel && !m.phase().beforeCutover() && m.phase() != MigrationPhase.Cancelled)
        || (a == Action.Rollback && m.phase().beforeCutover())
        || (a == Action.Finalize
            && m.phase() != MigrationPhase.Completed
            && m.phase() != MigrationPhase.Finalized)) {
      return ConditionReason.ActionRefused;
    }
    if (a == Action.Rollback
        && m.phase() == MigrationPhase.Completed
        && m.rollbackError() != null) {
      return ConditionReason.RollbackUnavailable;
    }
    return null;
  }

  private static String stalledMessage(MigrationRecord m) {
    if (m.failure() != null) {
      return m.failure();
    }
    if (m.phase().terminal()) {
      return "the migration ended as "
          + m.phase()
          + "; a finished migration does not run again: apply it under a new name";
    }
    if (m.lastError() != null) {
      return m.lastError();
    }
    if (m.rollbackError() != null) {
      return m.rollbackError();
    }
    return "the requested action is not possible in phase " + m.phase();
  }

  private static boolean waitingForPerson(MigrationRecord m, MigrationSpec spec) {
    return m.phase() == MigrationPhase.AwaitingApproval
        || m.phase() == MigrationPhase.AwaitingCutover
        || (spec.control().action() == Action.Pause && !m.phase().terminal());
  }

  private static String rollbackReason(MigrationRecord m, Plan plan) {
    if (m.phase().beforeCutover()) {
      return ConditionReason.NotCutOver.name();
    }
    if (!plan.rollbackRetained()) {
      return ConditionReason.RetentionDisabled.name();
    }
    if (m.rollbackError() != null) {
      return ConditionReason.ReverseReplayFailed.name();
    }
    return m.phase() == MigrationPhase.Completed
        ? ConditionReason.RetentionEnded.name()
        : m.phase().name();
  }

  /** One line saying where the migration stands, for people. */
  public static String message(MigrationRecord m, MigrationSpec spec, Plan plan) {
    return switch (m.phase()) {
          case Planning -> "planning against the current catalog";
          case AwaitingApproval -> "waiting for approval of plan " + plan.hash();
          case CreatingShadow -> "creating the shadow table and change capture";
          case Backfilling ->
              "copying rows: "
                  + m.rowsCopied()
                  + " of about "
                  + Math.max(m.rowsEstimated(), m.rowsCopied());
          case Syncing ->
              "building indexes and verifying ("
                  + m.indexesBuilt()
                  + "/"
                  + plan.indexes().size()
                  + " indexes, "
                  + m.rowsVerified()
                  + " rows verified)";
          case AwaitingCutover -> "in sync; waiting for control.cutover: Proceed";
          case CuttingOver ->
              "swapping the tables (attempt "
                  + (m.cutoverAttempts() + 1)
                  + ")"
                  + (m.cutoverLastError() == null ? "" : "; last: " + m.cutoverLastError());
          case Completed ->
              m.rollbackError() != null
                  ? "completed; rollback unavailable: " + m.rollbackError()
                  : plan.rollbackRetained()
                      ? "completed; rollback available until " + m.rollbackUntil()
                      : "completed";
          case RollingBack -> "rolling back to the original table";
          case RolledBack -> "rolled back; the original table is live with every write";
          case Cancelled -> "cancelled before cut-over; the original table is untouched";
          case Finalized -> "finalized; the archived table is dropped";
          case Failed -> "failed: " + m.failure();
        }
        + (spec.control().action() == Action.Pause && !m.phase().terminal() ? " (paused)" : "");
  }

  private static Condition c(
      ConditionType type, boolean status, String reason, String message, String time) {
    return new Condition(type.name(), status ? "True" : "False", reason, message, time, null);
  }
}
