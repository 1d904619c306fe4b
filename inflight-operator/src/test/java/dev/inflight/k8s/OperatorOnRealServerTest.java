package dev.inflight.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.inflight.api.MigrationStatus;
import dev.inflight.engine.ConditionReason;
import dev.inflight.operator.resource.SchemaMigration;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator against a real API server, as deployed: deploy/manifests applied with kubectl, the
 * operator's every request made as its service account (so least-privilege RBAC is what it gets),
 * an example from examples/ applied with kubectl, and PostgreSQL for the database.
 */
@RealKubernetes
@ExtendWith(PostgresExtension.class)
class OperatorOnRealServerTest {
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

  @Test
  void exampleRunsToCompletionUnderTheServiceAccountsRbac(Cluster k8s, TestDatabase db)
      throws Exception {
    Apps.users(db, 20_000);
    Operators.secret(k8s, ns, db);
    operator = Operators.start(k8s, "inflight-operator-0", true);

    Kubectl.Result applied =
        k8s.kubectl().run("apply", "-n", ns, "-f", "examples/users-add-phone.yaml");
    assertThat(applied.ok()).as(applied.err()).isTrue();
    assertThat(applied.out()).contains("schemamigration.inflight.dev/users-add-phone created");
    Kubectl.Result waited =
        k8s.kubectl()
            .run(
                Apps.LONG,
                "wait",
                "-n",
                ns,
                "--for=condition=Ready",
                "--timeout=110s",
                "smig/users-add-phone");
    assertThat(waited.ok()).as("kubectl wait: %s", waited.err()).isTrue();
    assertThat(waited.out()).contains("condition met");

    SchemaMigration m = apps.migration("users-add-phone").get();
    MigrationStatus s = m.getStatus();
    assertThat(s.phase()).as("Ready is the intent reached").isEqualTo("Completed");
    assertThat(s.observedGeneration()).isEqualTo(m.getMetadata().getGeneration());
    assertThat(s.progress().rowsCopied()).isEqualTo(20_000);
    assertThat(m.getMetadata().getFinalizers()).containsExactly("inflight.dev/cleanup");
    assertThat(db.strings("SELECT indexname FROM pg_indexes WHERE tablename = 'users'"))
        .contains("ix_users_phone", "idx_active_users");
    assertThat(db.count("SELECT count(*) FROM users WHERE phone = '' AND flag IN (true, false)"))
        .isEqualTo(20_000);

    // Events pass the server's validation of events.k8s.io/v1 (the mock checks nothing).
    assertThat(apps.events("users-add-phone"))
        .extracting(Event::getReason)
        .contains("CreatingShadow", "Backfilling", "Syncing", "CuttingOver", "Completed");
    assertThat(apps.events("users-add-phone"))
        .allSatisfy(
            e -> {
              assertThat(e.getReportingController()).isEqualTo("inflight.dev/operator");
              assertThat(e.getReportingInstance()).isEqualTo("inflight-operator-0");
            });

    Map<String, String> row = table(k8s.kubectl().run("get", "smig", "-n", ns)).get(0);
    assertThat(row.keySet())
        .containsExactly("NAME", "TABLE", "PHASE", "PROGRESS", "READY", "ROLLBACK-UNTIL", "AGE");
    assertThat(row)
        .containsEntry("NAME", "users-add-phone")
        .containsEntry("TABLE", "public.users")
        .containsEntry("PHASE", "Completed")
        .containsEntry("PROGRESS", "100")
        .containsEntry("READY", "True");
    assertThat(Instant.parse(row.get("ROLLBACK-UNTIL")))
        .isBetween(
            Instant.now().plus(Duration.ofHours(23)), Instant.now().plus(Duration.ofHours(25)));
    Map<String, String> wide =
        table(k8s.kubectl().run("get", "smig", "-n", ns, "-o", "wide")).get(0);
    assertThat(wide).containsEntry("REASON", ConditionReason.IntentReached.name());
    assertThat(wide.get("MESSAGE")).isNotBlank();
  }

  /** kubectl's table output as rows of column name to value (the columns are space-aligned). */
  static List<Map<String, String>> table(Kubectl.Result r) {
    assertThat(r.ok()).as(r.err()).isTrue();
    System.out.println("kubectl get:\n" + r.out());
    List<String> lines = r.out().lines().toList();
    String header = lines.get(0);
    List<String> names = Arrays.asList(header.trim().split("\\s+"));
    List<Map<String, String>> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        int from = Math.min(header.indexOf(names.get(i)), line.length());
        int to =
            i + 1 < names.size()
                ? Math.min(header.indexOf(names.get(i + 1)), line.length())
                : line.length();
        row.put(names.get(i), line.substring(from, to).trim());
      }
      rows.add(row);
    }
    return rows;
  }

  @Test
  void operatorRestartMidBackfillResumesAndStatusSurvivesConcurrentEdits(
      Cluster k8s, TestDatabase db) throws Exception {
    Apps.users(db, 40_000);
    Operators.secret(k8s, ns, db);
    operator = Operators.start(k8s, "inflight-operator-0", false);
    assertThat(
            k8s.kubectl()
                .run(
                    "apply",
                    "-n",
                    ns,
                    "-f",
                    "inflight-operator/src/test/resources/k8s/throttled-migration.yaml")
                .ok())
        .isTrue();
    apps.awaitStatus("users-throttled", s -> s.progress() != null && s.progress().rowsCopied() > 0);
    Map<String, String> running =
        table(k8s.kubectl().run("get", "smig", "-n", ns, "-o", "wide")).get(0);
    assertThat(running)
        .containsEntry("NAME", "users-throttled")
        .containsEntry("PHASE", "Backfilling")
        .containsEntry("READY", "False");
    assertThat(running.get("REASON")).isIn("Backfilling", "Throttled");
    assertThat(Integer.parseInt(running.get("PROGRESS"))).isBetween(0, 99);

    // A person edits the spec while the operator writes status: status patches do not carry a
    // resourceVersion, so neither side conflicts, and the edit is a new generation.
    SchemaMigration before = apps.migration("users-throttled").get();
    apps.migration("users-throttled")
        .edit(
            x -> {
              x.getMetadata().setLabels(Map.of("team", "accounts"));
              return x;
            });
    var edited =
        apps.migration("users-throttled")
            .patch(
                PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"backfill\":{\"maxRowsPerSecond\":2000}}}");
    assertThat(edited.getMetadata().getGeneration())
        .isEqualTo(before.getMetadata().getGeneration() + 1);
    apps.awaitStatus(
        "users-throttled",
        s -> edited.getMetadata().getGeneration().equals(s.observedGeneration()));

    // A write based on a stale copy is refused by the server, not silently merged.
    SchemaMigration stale = apps.migration("users-throttled").get();
    apps.awaitStatus("users-throttled", s -> !s.progress().equals(stale.getStatus().progress()));
    stale.getMetadata().setLabels(Map.of("team", "payments"));
    assertThatThrownBy(
            () ->
                k8s.admin()
                    .resources(SchemaMigration.class)
                    .inNamespace(ns)
                    .resource(stale)
                    .update())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));

    // Stopped mid-backfill; a new instance resumes from the ledger's cursor.
    operator.close();
    operator = null;
    MigrationStatus atStop = apps.migration("users-throttled").get().getStatus();
    assertThat(atStop.phase()).isEqualTo("Backfilling");
    assertThat(atStop.progress().rowsCopied()).isBetween(1L, 39_999L);
    operator = Operators.start(k8s, "inflight-operator-1", false);
    MigrationStatus done = apps.awaitStatus("users-throttled", Apps.phase("Completed"));
    assertThat(done.progress().rowsCopied()).isEqualTo(40_000);
    assertThat(db.count("SELECT count(*) FROM users WHERE phone = ''")).isEqualTo(40_000);
    assertThat(db.count("SELECT count(*) FROM inflight.history")).isEqualTo(1);
    assertThat(apps.migration("users-throttled").get().getMetadata().getLabels())
        .containsEntry("team", "accounts");
  }

  @Test
  void deletionWaitsForTheOperatorWhichCleansUpAndRemovesItsFinalizer(Cluster k8s, TestDatabase db)
      throws Exception {
    Apps.users(db, 2_000);
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
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname = 'users__ifl_new'"))
        .isEqualTo(1);

    operator.close();
    operator = null;
    Kubectl.Result deleted =
        k8s.kubectl().run("delete", "-n", ns, "smig/users-manual", "--wait=false");
    assertThat(deleted.ok()).as(deleted.err()).isTrue();
    SchemaMigration terminating = apps.migration("users-manual").get();
    assertThat(terminating.getMetadata().getDeletionTimestamp()).isNotNull();
    assertThat(terminating.getMetadata().getFinalizers()).containsExactly("inflight.dev/cleanup");

    operator = Operators.start(k8s, "inflight-operator-1", false);
    await().atMost(Apps.LONG).until(() -> apps.migration("users-manual").get() == null);
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname LIKE 'users__ifl%'")).isZero();
    assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(2_000);
    assertThat(apps.events("users-manual")).extracting(Event::getReason).contains("CleanedUp");
  }
}
