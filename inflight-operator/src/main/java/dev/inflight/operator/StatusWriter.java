package dev.inflight.operator;

import dev.inflight.api.ConditionType;
import dev.inflight.api.MigrationStatus;
import dev.inflight.api.MigrationStatus.Condition;
import dev.inflight.engine.StepResult;
import dev.inflight.operator.resource.SchemaMigration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the engine's status into the resource's: adds {@code observedGeneration}, keeps each
 * condition's {@code lastTransitionTime} while its status does not change (as Kubernetes
 * conventions require), and says why a step is waiting.
 */
final class StatusWriter {
  /** The phase shown before the engine has answered for a resource. */
  static final String PENDING = "Pending";

  MigrationStatus fromEngine(SchemaMigration r, MigrationStatus s, StepResult last, Instant now) {
    String message = s.message();
    List<Condition> conditions = new ArrayList<>(s.conditions());
    if (last instanceof StepResult.Waiting w) {
      message = s.message() + " (" + w.message() + ")";
      if (w.reason() == StepResult.WaitReason.LockContention
          || w.reason() == StepResult.WaitReason.RetryingAfterError
          || w.reason() == StepResult.WaitReason.Throttled
          || w.reason() == StepResult.WaitReason.Busy) {
        conditions.replaceAll(
            c ->
                ConditionType.Reconciling.typeOf(c) && "True".equals(c.status())
                    ? new Condition(
                        c.type(),
                        c.status(),
                        w.reason().name(),
                        w.message(),
                        c.lastTransitionTime(),
                        null)
                    : c);
      }
    }
    return finish(r, restated(s, message, conditions), now);
  }

  /**
   * The engine's status of a migration waiting for one of its database's copy slots: Reconciling
   * with reason {@code Queued} and a message that names the migration it waits for.
   */
  MigrationStatus queued(SchemaMigration r, MigrationStatus s, String message, Instant now) {
    List<Condition> conditions = new ArrayList<>(s.conditions());
    conditions.replaceAll(
        c ->
            ConditionType.Reconciling.typeOf(c)
                ? new Condition(
                    c.type(),
                    "True",
                    OperatorReason.Queued.name(),
                    message,
                    c.lastTransitionTime(),
                    null)
                : c);
    return finish(r, restated(s, message, conditions), now);
  }

  /** The engine's status {@code s} with another message and conditions. */
  private static MigrationStatus restated(
      MigrationStatus s, String message, List<Condition> conditions) {
    return new MigrationStatus(
        null,
        s.phase(),
        message,
        s.plan(),
        s.progress(),
        s.cutover(),
        s.rollback(),
        s.lastError(),
        s.catalogCheck(),
        conditions);
  }

  /** A status for a resource the engine cannot act on yet (invalid, no Secret, no database). */
  MigrationStatus problem(SchemaMigration r, OperatorReason reason, String message, Instant now) {
    return without(r, ConditionType.Stalled, reason, message, now);
  }

  /** The same status, waiting on a transient problem (a database that does not answer). */
  MigrationStatus retrying(SchemaMigration r, OperatorReason reason, String message, Instant now) {
    return without(r, ConditionType.Reconciling, reason, message, now);
  }

  /**
   * A status when the engine has no answer: the previous status kept, {@code trueCondition} True
   * with the reason, every other condition False.
   */
  private static MigrationStatus without(
      SchemaMigration r,
      ConditionType trueCondition,
      OperatorReason reason,
      String message,
      Instant now) {
    MigrationStatus prev = r.getStatus();
    String t = now.toString();
    List<Condition> conditions = new ArrayList<>();
    for (ConditionType type : ConditionType.values()) {
      boolean on = type == trueCondition;
      boolean says = on || (trueCondition == ConditionType.Stalled && type == ConditionType.Ready);
      conditions.add(
          new Condition(
              type.name(), on ? "True" : "False", reason.name(), says ? message : "", t, null));
    }
    return finish(
        r,
        new MigrationStatus(
            null,
            prev == null || prev.phase() == null ? PENDING : prev.phase(),
            message,
            prev == null ? null : prev.plan(),
            prev == null ? null : prev.progress(),
            prev == null ? null : prev.cutover(),
            prev == null ? null : prev.rollback(),
            message,
            prev == null ? null : prev.catalogCheck(),
            conditions),
        now);
  }

  private static MigrationStatus finish(SchemaMigration r, MigrationStatus s, Instant now) {
    Long generation = r.getMetadata().getGeneration();
    List<Condition> previous =
        r.getStatus() == null || r.getStatus().conditions() == null
            ? List.of()
            : r.getStatus().conditions();
    List<Condition> merged = new ArrayList<>();
    for (Condition c : s.conditions()) {
      String since =
          previous.stream()
              .filter(p -> p.type().equals(c.type()) && p.status().equals(c.status()))
              .map(Condition::lastTransitionTime)
              .findFirst()
              .orElse(now.toString());
      merged.add(new Condition(c.type(), c.status(), c.reason(), c.message(), since, generation));
    }
    return new MigrationStatus(
        generation,
        s.phase(),
        s.message(),
        s.plan(),
        s.progress(),
        s.cutover(),
        s.rollback(),
        s.lastError(),
        s.catalogCheck(),
        merged);
  }

  static Condition condition(MigrationStatus s, ConditionType type) {
    if (s == null || s.conditions() == null) {
      return null;
    }
    return s.conditions().stream().filter(type::typeOf).findFirst().orElse(null);
  }
}
