package dev.inflight.operator.resource;

import dev.inflight.api.MigrationStatus;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The SchemaMigration resource: one table's migration, as a platform team applies it and as the
 * operator reports it. The CRD in {@code deploy/crds/} is generated from this class; the engine
 * reads the spec through {@link ResourceSpecs}.
 */
@Group("inflight.dev")
@Version("v1alpha1")
@Kind("SchemaMigration")
@Plural("schemamigrations")
@Singular("schemamigration")
@ShortNames("smig")
@AdditionalPrinterColumn(name = "Table", jsonPath = ".spec.table")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(
    name = "Progress",
    jsonPath = ".status.progress.percent",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(name = "Rollback-Until", jsonPath = ".status.rollback.until")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    priority = 1)
@AdditionalPrinterColumn(name = "Message", jsonPath = ".status.message", priority = 1)
public class SchemaMigration extends CustomResource<SchemaMigrationSpec, MigrationStatus>
    implements Namespaced {
  private static final long serialVersionUID = 1L;
}
