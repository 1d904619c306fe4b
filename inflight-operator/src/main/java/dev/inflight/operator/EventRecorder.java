package dev.inflight.operator;

import dev.inflight.api.ConditionType;
import dev.inflight.api.MigrationStatus;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.StepResult.WaitReason;
import dev.inflight.operator.resource.SchemaMigration;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events for what people watch for: every phase change, every gate, every stall. Only
 * transitions produce an Event, never a repeated state, so a long wait does not flood the
 * namespace.
 */
final class EventRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final DateTimeFormatter MICRO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX");
  static final String CONTROLLER = "inflight.dev/operator";

  private final KubernetesClient client;
  private final String instance;

  EventRecorder(KubernetesClient client, String instance) {
    this.client = client;
    this.instance = instance;
  }

  /** Emits the Events that the change from {@code before} to {@code after} deserves. */
  void transitions(SchemaMigration r, MigrationStatus before, MigrationStatus after) {
    String was = before == null ? null : before.phase();
    if (!Objects.equals(was, after.phase()) && !StatusWriter.PENDING.equals(after.phase())) {
      boolean bad = MigrationPhase.Failed.name().equals(after.phase());
      emit(
          r,
          bad ? "Warning" : "Normal",
          after.phase(),
          (was == null ? "" : was + " -> " + after.phase() + ": ") + after.message());
    }
    var stalledBefore = StatusWriter.condition(before, ConditionType.Stalled);
    var stalledAfter = StatusWriter.condition(after, ConditionType.Stalled);
    if (stalledAfter != null
        && "True".equals(stalledAfter.status())
        && (stalledBefore == null
            || !"True".equals(stalledBefore.status())
            || !Objects.equals(stalledBefore.reason(), stalledAfter.reason()))) {
      emit(r, "Warning", stalledAfter.reason(), stalledAfter.message());
    }
    var recBefore = StatusWriter.condition(before, ConditionType.Reconciling);
    var recAfter = StatusWriter.condition(after, ConditionType.Reconciling);
    if (recAfter != null
        && WaitReason.LockContention.name().equals(recAfter.reason())
        && (recBefore == null || !WaitReason.LockContention.name().equals(recBefore.reason()))) {
      emit(r, "Warning", "CutoverBlocked", recAfter.message());
    }
  }

  void emit(SchemaMigration r, String type, String reason, String note) {
    try {
      var ev =
          new EventBuilder()
              .withNewMetadata()
              .withGenerateName(r.getMetadata().getName() + "-")
              .withNamespace(r.getMetadata().getNamespace())
              .endMetadata()
              .withRegarding(
                  new ObjectReferenceBuilder()
                      .withApiVersion(r.getApiVersion())
                      .withKind(r.getKind())
                      .withName(r.getMetadata().getName())
                      .withNamespace(r.getMetadata().getNamespace())
                      .withUid(r.getMetadata().getUid())
                      .build())
              .withType(type)
              .withReason(reason)
              .withAction("Reconcile")
              .withNote(note == null ? "" : note.length() > 1000 ? note.substring(0, 1000) : note)
              .withReportingController(CONTROLLER)
              .withReportingInstance(instance)
              .withEventTime(new MicroTime(ZonedDateTime.now(ZoneOffset.UTC).format(MICRO)))
              .build();
      client
          .events()
          .v1()
          .events()
          .inNamespace(r.getMetadata().getNamespace())
          .resource(ev)
          .create();
    } catch (KubernetesClientException e) {
      // An Event is a courtesy; failing to write one must not fail the reconcile.
      LOG.warn(
          "cannot record event {} for {}/{}: {}",
          reason,
          r.getMetadata().getNamespace(),
          r.getMetadata().getName(),
          e.getMessage());
    }
  }
}
