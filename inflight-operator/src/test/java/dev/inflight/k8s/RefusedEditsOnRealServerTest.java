package dev.inflight.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.api.MigrationStatus;
import dev.inflight.operator.OperatorReason;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Edits that the CRD's CEL rules refuse on servers from 1.25 on, as the 1.37 this tier tests does.
 * Older servers accept them; the operator must then refuse them itself and leave the database as it
 * was. The tests keep both branches, so that a run against an older build ({@code
 * -Dinflight.k8s.version}) checks the operator's half.
 */
@RealKubernetes
@ExtendWith(PostgresExtension.class)
class RefusedEditsOnRealServerTest {
  private String ns;
  private Apps apps;
  private Operators.Running operator;

  @BeforeAll
  static void install(Cluster k8s) {
    Deploy.crd(k8s);
    Deploy.manifests(k8s);
  }

  @BeforeEach
  void namespace(Cluster k8s) {
    ns = k8s.namespace("apps");
    apps = new Apps(k8s, ns);
  }

  @AfterEach
  void stop(Cluster k8s) {
    if (operator != null) {
      operator.close();
    }
    Operators.clean(k8s, ns);
    Operators.assertNothingForbidden(k8s);
  }

  /**
   * The CRD makes spec.table and spec.changes immutable with CEL rules, which servers before 1.25
   * do not evaluate; there the operator refuses the change instead, and the database is untouched.
   */
  @Test
  void changedTableIsRefusedByTheServerOrByTheOperator(Cluster k8s, TestDatabase db)
      throws Exception {
    Apps.users(db, 2_000);
    db.exec("CREATE TABLE customers (id bigint PRIMARY KEY, name text)");
    Operators.secret(k8s, ns, db);
    operator = Operators.start(k8s, "inflight-operator-0", false);
    assertThat(
            k8s.kubectl()
                .run(
                    "apply",
                    "-n",
                    ns,
                    "-f",
                    "inflight-operator/src/test/resources/k8s/manual-cleanup.yaml")
                .ok())
        .isTrue();
    apps.awaitStatus("users-manual", Apps.phase("AwaitingCutover"));

    Kubectl.Result patched =
        k8s.kubectl()
            .run(
                "patch",
                "-n",
                ns,
                "smig/users-manual",
                "--type=merge",
                "-p",
                "{\"spec\":{\"table\":\"public.customers\"}}");
    if (k8s.enforcesCelRules()) {
      assertThat(patched.ok()).isFalse();
      assertThat(patched.err()).contains("spec.table is immutable");
      return;
    }
    assertThat(patched.ok()).as(patched.err()).isTrue();
    MigrationStatus refused =
        apps.awaitStatus("users-manual", Apps.stalled(OperatorReason.PlanRejected.name()));
    assertThat(refused.phase()).isEqualTo("AwaitingCutover");
    assertThat(refused.message()).contains("on public.users, not public.customers");
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname LIKE 'customers__ifl%'"))
        .isZero();

    // Restoring the spec lets the migration go on where it was.
    assertThat(
            k8s.kubectl()
                .run(
                    "patch",
                    "-n",
                    ns,
                    "smig/users-manual",
                    "--type=merge",
                    "-p",
                    "{\"spec\":{\"table\":\"public.users\",\"control\":{\"cutover\":\"Proceed\"}}}")
                .ok())
        .isTrue();
    apps.awaitStatus("users-manual", Apps.phase("Completed"));
    assertThat(db.count("SELECT count(*) FROM users WHERE phone = ''")).isEqualTo(2_000);
  }

  /**
   * What only the CRD's CEL rules refuse (a change with no operation, or with two) reaches the
   * operator on servers before 1.25; it refuses it before touching the database.
   */
  @Test
  void whatOnlyCelRulesRefuseIsRefusedByTheOperatorWhereTheServerAcceptsIt(
      Cluster k8s, TestDatabase db) throws Exception {
    Assumptions.assumeFalse(
        k8s.enforcesCelRules(), "the server refuses these itself (SchemaOnRealServerTest)");
    Apps.users(db, 100);
    Operators.secret(k8s, ns, db);
    operator = Operators.start(k8s, "inflight-operator-0", false);
    for (Documents.Case c : Documents.cases("/k8s/cel-rules.yaml")) {
      c.resource().getAdditionalProperties().put("spec", withDatabase(c));
      k8s.admin().resource(c.resource()).inNamespace(ns).create();
      MigrationStatus s =
          apps.awaitStatus(c.name(), Apps.stalled(OperatorReason.InvalidSpec.name()));
      assertThat(s.message()).as(c.name()).contains("exactly one operation per change");
    }
    assertThat(db.count("SELECT count(*) FROM pg_namespace WHERE nspname = 'inflight'")).isZero();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> withDatabase(Documents.Case c) {
    Map<String, Object> spec =
        new LinkedHashMap<>(
            (Map<String, Object>) c.resource().getAdditionalProperties().get("spec"));
    spec.put("database", Map.of("secretRef", Map.of("name", "app-db")));
    return spec;
  }
}
