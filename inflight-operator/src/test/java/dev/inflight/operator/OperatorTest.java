package dev.inflight.operator;

import static dev.inflight.operator.OperatorHarness.NS;
import static dev.inflight.operator.OperatorHarness.condition;
import static dev.inflight.operator.OperatorHarness.create;
import static dev.inflight.operator.OperatorHarness.eventReasons;
import static dev.inflight.operator.OperatorHarness.get;
import static dev.inflight.operator.OperatorHarness.migrations;
import static dev.inflight.operator.OperatorHarness.phase;
import static dev.inflight.operator.OperatorHarness.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.inflight.api.ConditionType;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.MigrationStatus;
import dev.inflight.engine.ConditionReason;
import dev.inflight.gitops.ArgoHealth;
import dev.inflight.operator.resource.ResourceSpecs;
import dev.inflight.operator.resource.SchemaMigration;
import dev.inflight.testing.PgBouncer;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator against the Fabric8 mock API server (CRUD mode, generated CRD registered) and a real
 * PostgreSQL: every control path of DESIGN.md, as a platform team would drive it.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(PostgresExtension.class)
class OperatorTest {
  private static final String ADD_CODE =
      "- addColumn: {name: code, type: text, default: \"'c'\"}\n";
  private static final Duration LONG = Duration.ofSeconds(60);

  KubernetesClient client;
  KubernetesMockServer server;
  private OperatorApp app;

  @BeforeEach
  void start() throws Exception {
    OperatorHarness.registerCrd(client);
    app = OperatorHarness.start(client, "operator-a");
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
  }

  private static void parts(TestDatabase db, int rows) {
    db.exec(
        "CREATE TABLE parts (id integer PRIMARY KEY, name text NOT NULL, flag integer NOT NULL DEFAULT 0)",
        "INSERT INTO parts SELECT g, 'p' || g, g % 2 FROM generate_series(1, " + rows + ") g");
  }

  /**
   * Changes the control fields as a person would with kubectl edit: a write based on a copy that
   * the operator's status patch has made stale is refused (409), and is read again and retried.
   */
  private void edit(String name, UnaryOperator<MigrationSpec.ControlSpec> change) {
    await()
        .atMost(LONG)
        .ignoreExceptionsMatching(
            e -> e instanceof KubernetesClientException k && k.getCode() == 409)
        .until(
            () -> {
              migrations(client)
                  .inNamespace(NS)
                  .withName(name)
                  .edit(
                      m -> {
                        MigrationSpec s = ResourceSpecs.toCore(m.getSpec());
                        m.setSpec(
                            ResourceSpecs.toResource(s.withControl(change.apply(s.control()))));
                        return m;
                      });
              return true;
            });
  }

  /** The usual start: a parts table of {@code rows}, its Secret, and the parts-code migration. */
  private void partsCode(TestDatabase db, int rows, String extraYaml) {
    parts(db, rows);
    OperatorHarness.secret(client, "app-db", db, "postgres");
    create(client, yaml("parts-code", "public.parts", ADD_CODE, extraYaml));
  }

  private static MigrationSpec.ControlSpec action(
      MigrationSpec.ControlSpec c, MigrationSpec.Action a) {
    return new MigrationSpec.ControlSpec(c.approvedPlanHash(), c.cutover(), a);
  }

  @Test
  void migrationRunsToCompletedWithStatusAndEventsAtEachPhase(TestDatabase db) throws Exception {
    partsCode(db, 3000, null);

    awaitPhase("parts-code", "Completed");
    assertThat(secretReads())
        .as("the Secret is read once per 10 s, not once per step (%s reconciles)", reconciles())
        .isLessThanOrEqualTo(3)
        .isLessThan((long) reconciles() / 2);
    SchemaMigration m = get(client, "parts-code");
    MigrationStatus s = m.getStatus();
    System.out.println("completed resource:\n" + Serialization.asYaml(m));
    assertThat(s.observedGeneration()).isEqualTo(m.getMetadata().getGeneration());
    assertThat(s.plan().hash()).startsWith("sha256:");
    assertThat(s.plan().statements())
        .anyMatch(st -> st.startsWith("CREATE TABLE \"public\".\"parts__ifl_new\""));
    assertThat(s.progress().rowsCopied()).isEqualTo(3000);
    assertThat(s.progress().percent()).isEqualTo(100);
    assertThat(s.rollback().available()).isTrue();
    assertThat(s.rollback().archivedTable()).isEqualTo("public.parts__ifl_old");
    assertThat(s.conditions())
        .extracting(MigrationStatus.Condition::type)
        .containsExactlyInAnyOrder(
            Arrays.stream(ConditionType.values()).map(Enum::name).toArray(String[]::new));
    assertThat(s.conditions())
        .allSatisfy(
            c -> assertThat(c.observedGeneration()).isEqualTo(m.getMetadata().getGeneration()));
    assertThat(condition(client, "parts-code", ConditionType.Ready, false)).isEqualTo("True");
    assertThat(condition(client, "parts-code", ConditionType.Stalled, false)).isEqualTo("False");
    assertThat(eventReasons(client, "parts-code"))
        .contains("CreatingShadow", "Backfilling", "Syncing", "CuttingOver", "Completed");
    assertThat(db.count("SELECT count(*) FROM parts WHERE code = 'c'")).isEqualTo(3000);

    String metrics = scrape(app.httpPort(), "/metrics");
    assertThat(metrics)
        .contains(
            "inflight_migration_rows_copied_total{name=\"parts-code\",namespace=\"apps\",table=\"public.parts\"} 3000.0");
    assertThat(metrics)
        .contains(
            "inflight_migration_phase{name=\"parts-code\",namespace=\"apps\",phase=\"Completed\",table=\"public.parts\"} 1.0");
    assertThat(metrics).contains("operator_sdk_reconciliations_started_total");
    assertThat(scrape(app.httpPort(), "/healthz")).isEqualTo("ok\n");
    assertThat(scrape(app.httpPort(), "/readyz")).isEqualTo("ready\n");
  }

  @Test
  void anIdleCompletedMigrationWritesNoStatusAtItsPolls(TestDatabase db) throws Exception {
    partsCode(db, 300, null);
    awaitPhase("parts-code", "Completed");
    await()
        .atMost(LONG)
        .until(
            () ->
                "True".equals(condition(client, "parts-code", ConditionType.Ready, false))
                    && get(client, "parts-code").getStatus().catalogCheck() != null);
    statusWrites("parts-code");
    double before = reconciles();

    // Two polls of a Completed migration (one every 15 s) that find nothing new.
    await().atMost(Duration.ofSeconds(50)).until(() -> reconciles() >= before + 2);
    assertThat(statusWrites("parts-code"))
        .as("status writes over %s reconciles of an unchanged status", reconciles() - before)
        .isZero();
    assertThat(phase(client, "parts-code")).isEqualTo("Completed");
  }

  @Test
  void aThrottledCopyWritesItsProgressAtMostOnceEveryFiveSeconds(TestDatabase db) throws Exception {
    parts(db, 50_000);
    OperatorHarness.secret(client, "app-db", db, "postgres");
    create(
        client,
        yaml(
            "parts-code",
            "public.parts",
            ADD_CODE,
            "backfill: {batchSize: 250, maxRowsPerSecond: 2500}\n"));
    await()
        .atMost(LONG)
        .until(
            () -> {
              SchemaMigration m = get(client, "parts-code");
              return m.getStatus() != null
                  && "Backfilling".equals(m.getStatus().phase())
                  && m.getStatus().progress().rowsCopied() > 0;
            });
    statusWrites("parts-code");
    double before = reconciles();
    long copiedBefore = get(client, "parts-code").getStatus().progress().rowsCopied();

    // Eight seconds inside the copy: a step (or a throttled wait) about every second, each with
    // new progress.
    await()
        .during(Duration.ofSeconds(8))
        .atMost(Duration.ofSeconds(10))
        .until(() -> "Backfilling".equals(phase(client, "parts-code")));
    long writes = statusWrites("parts-code");
    assertThat(reconciles() - before).as("steps in the window").isGreaterThan(3);
    assertThat(writes).as("progress-only status writes in 8 s").isBetween(1L, 3L);
    assertThat(get(client, "parts-code").getStatus().progress().rowsCopied())
        .as("the progress shown still moves")
        .isGreaterThan(copiedBefore);
    awaitPhase("parts-code", "Completed");
    assertThat(eventReasons(client, "parts-code"))
        .contains("CreatingShadow", "Backfilling", "Syncing", "CuttingOver", "Completed");
  }

  @Test
  void approvalGateOpensForThePlanHashInStatus(TestDatabase db) throws Exception {
    partsCode(db, 500, "approval: {required: true}\n");
    awaitPhase("parts-code", "AwaitingApproval");
    assertThat(condition(client, "parts-code", ConditionType.Approved, false)).isEqualTo("False");
    assertThat(condition(client, "parts-code", ConditionType.Reconciling, false)).isEqualTo("True");
    assertThat(condition(client, "parts-code", ConditionType.Reconciling, true))
        .isEqualTo("AwaitingApproval");
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname = 'parts__ifl_new'")).isZero();

    assertThat(argo("parts-code")).isEqualTo("Suspended");
    String hash = get(client, "parts-code").getStatus().plan().hash();
    edit("parts-code", c -> new MigrationSpec.ControlSpec(hash, c.cutover(), c.action()));
    awaitPhase("parts-code", "Completed");
    assertThat(condition(client, "parts-code", ConditionType.Approved, false)).isEqualTo("True");
    assertThat(eventReasons(client, "parts-code")).contains("AwaitingApproval");
    assertThat(argo("parts-code")).isEqualTo("Healthy");
  }

  @Test
  void manualCutoverWaitsForProceed(TestDatabase db) {
    partsCode(db, 500, "cutover: {mode: Manual}\n");
    awaitPhase("parts-code", "AwaitingCutover");
    assertThat(condition(client, "parts-code", ConditionType.CutoverReady, false))
        .isEqualTo("True");
    edit(
        "parts-code",
        c ->
            new MigrationSpec.ControlSpec(
                c.approvedPlanHash(), MigrationSpec.CutoverControl.Proceed, c.action()));
    awaitPhase("parts-code", "Completed");
  }

  @Test
  void pauseStopsAndRunResumes(TestDatabase db) {
    partsCode(db, 500, "control: {action: Pause}\n");
    await()
        .atMost(LONG)
        .until(
            () -> {
              SchemaMigration m = get(client, "parts-code");
              return m.getStatus() != null
                  && m.getStatus().message() != null
                  && m.getStatus().message().contains("paused");
            });
    assertThat(phase(client, "parts-code")).isEqualTo("Planning");
    edit("parts-code", c -> action(c, MigrationSpec.Action.Run));
    awaitPhase("parts-code", "Completed");
  }

  @Test
  void cancelBeforeCutoverAndRefusedRollbackBeforeIt(TestDatabase db) {
    partsCode(db, 500, "cutover: {mode: Manual}\n");
    awaitPhase("parts-code", "AwaitingCutover");
    edit("parts-code", c -> action(c, MigrationSpec.Action.Rollback));
    await()
        .atMost(LONG)
        .until(
            () ->
                ConditionReason.ActionRefused.name()
                    .equals(condition(client, "parts-code", ConditionType.Stalled, true)));
    assertThat(phase(client, "parts-code")).isEqualTo("AwaitingCutover");
    edit("parts-code", c -> action(c, MigrationSpec.Action.Cancel));
    awaitPhase("parts-code", "Cancelled");
    assertThat(condition(client, "parts-code", ConditionType.Ready, false)).isEqualTo("True");
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname LIKE 'parts\\_\\_ifl%'"))
        .isZero();
    assertThat(
            db.count(
                "SELECT count(*) FROM pg_attribute WHERE attrelid = 'parts'::regclass AND attname = 'code'"))
        .isZero();
  }

  @Test
  void rollbackAfterCutoverThenFinalizeIsRefused(TestDatabase db) {
    partsCode(db, 500, null);
    awaitPhase("parts-code", "Completed");
    db.exec("INSERT INTO parts (id, name) VALUES (9001, 'after cut-over')");
    edit("parts-code", c -> action(c, MigrationSpec.Action.Rollback));
    awaitPhase("parts-code", "RolledBack");
    assertThat(db.count("SELECT count(*) FROM parts WHERE id = 9001")).isEqualTo(1);
    // Ready can lag the phase by one look: a reconcile may see the spec from just before the
    // Rollback edit, and the reconciler looks at a finished migration that is not Ready again.
    await()
        .atMost(LONG)
        .conditionEvaluationListener(
            c -> {
              if (!c.isSatisfied() && c.getRemainingTimeInMS() < 1_000) {
                System.out.println(
                    "not ready in time:\n" + Serialization.asYaml(get(client, "parts-code")));
              }
            })
        .until(() -> "True".equals(condition(client, "parts-code", ConditionType.Ready, false)));
    assertThat(eventReasons(client, "parts-code")).contains("RollingBack", "RolledBack");
  }

  @Test
  void finalizeDropsTheArchivedTable(TestDatabase db) {
    partsCode(db, 500, null);
    awaitPhase("parts-code", "Completed");
    edit("parts-code", c -> action(c, MigrationSpec.Action.Finalize));
    awaitPhase("parts-code", "Finalized");
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname LIKE 'parts\\_\\_ifl%'"))
        .isZero();
    assertThat(condition(client, "parts-code", ConditionType.RollbackAvailable, false))
        .isEqualTo("False");
  }

  @Test
  void deletingWithRetainLeavesTheDatabaseAsItIs(TestDatabase db) {
    partsCode(db, 500, "deletionPolicy: Retain\n");
    awaitPhase("parts-code", "Completed");
    migrations(client).inNamespace(NS).withName("parts-code").delete();
    await().atMost(LONG).until(() -> get(client, "parts-code") == null);
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname = 'parts__ifl_old'"))
        .isEqualTo(1);
    assertThat(db.strings("SELECT phase FROM inflight.migrations")).containsExactly("Completed");
  }

  @Test
  void deletingWithCleanupCancelsBeforeCutoverAndFinalizesAfter(TestDatabase db) {
    parts(db, 500);
    db.exec(
        "CREATE TABLE tools (id integer PRIMARY KEY, name text)",
        "INSERT INTO tools VALUES (1, 'saw')");
    OperatorHarness.secret(client, "app-db", db, "postgres");
    create(
        client,
        yaml(
            "parts-code",
            "public.parts",
            ADD_CODE,
            "cutover: {mode: Manual}\ndeletionPolicy: Cleanup\n"));
    create(client, yaml("tools-code", "public.tools", ADD_CODE, "deletionPolicy: Cleanup\n"));
    awaitPhase("parts-code", "AwaitingCutover");
    awaitPhase("tools-code", "Completed");

    migrations(client).inNamespace(NS).withName("parts-code").delete();
    migrations(client).inNamespace(NS).withName("tools-code").delete();
    await()
        .atMost(LONG)
        .until(() -> get(client, "parts-code") == null && get(client, "tools-code") == null);
    assertThat(db.strings("SELECT name || '=' || phase FROM inflight.migrations ORDER BY name"))
        .containsExactly("apps/parts-code=Cancelled", "apps/tools-code=Finalized");
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname LIKE '%\\_\\_ifl%'")).isZero();
    assertThat(
            db.count(
                "SELECT count(*) FROM pg_attribute WHERE attrelid = 'tools'::regclass AND attname = 'code'"))
        .isEqualTo(1);
  }

  @Test
  void invalidSpecStallsWithAReasonAndChangesNothing(TestDatabase db) throws Exception {
    parts(db, 100);
    OperatorHarness.secret(client, "app-db", db, "postgres");
    List<String> before = db.strings("SELECT relname FROM pg_class ORDER BY 1");
    create(client, yaml("bad-column", "public.parts", "- dropColumn: {name: nope}\n", null));
    create(client, yaml("bad-batch", "public.parts", ADD_CODE, "backfill: {batchSize: 0}\n"));
    await()
        .atMost(LONG)
        .until(
            () ->
                OperatorReason.PlanRejected.name()
                    .equals(condition(client, "bad-column", ConditionType.Stalled, true)));
    await()
        .atMost(LONG)
        .until(
            () ->
                OperatorReason.InvalidSpec.name()
                    .equals(condition(client, "bad-batch", ConditionType.Stalled, true)));
    assertThat(get(client, "bad-column").getStatus().message())
        .contains("column \"nope\" does not exist");
    assertThat(get(client, "bad-batch").getStatus().message())
        .contains("spec.backfill.batchSize: 0 is outside 1..1000000");
    assertThat(condition(client, "bad-column", ConditionType.Ready, false)).isEqualTo("False");
    assertThat(eventReasons(client, "bad-column")).contains(OperatorReason.PlanRejected.name());
    assertThat(argo("bad-column")).isEqualTo("Degraded");
    assertThat(db.strings("SELECT relname FROM pg_class ORDER BY 1")).isEqualTo(before);
    assertThat(db.count("SELECT count(*) FROM pg_namespace WHERE nspname = 'inflight'")).isZero();
  }

  @Test
  void aTransactionPoolFoundByTheProbeStallsWithConnectionPooled(TestDatabase db) throws Exception {
    assumeTrue(
        PgBouncer.binary().isPresent(),
        "pgbouncer is not installed here (Debian: apt-get install pgbouncer; .ci/run installs it)");
    parts(db, 100);
    URI uri = URI.create(db.url().substring("jdbc:".length()));
    try (PgBouncer bouncer = PgBouncer.start(uri.getPort(), "transaction")) {
      // A hand-made Secret whose URL is the PgBouncer: nothing in its name says so.
      client
          .secrets()
          .inNamespace(NS)
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("app-db")
                  .endMetadata()
                  .addToStringData("url", bouncer.jdbcUrl(uri.getPath().substring(1)))
                  .addToStringData("username", "postgres")
                  .addToStringData("password", "postgres")
                  .build())
          .create();
      create(client, yaml("parts-code", "public.parts", ADD_CODE, null));
      await()
          .atMost(LONG)
          .untilAsserted(
              () ->
                  assertThat(condition(client, "parts-code", ConditionType.Stalled, true))
                      .as("the Stalled reason; status %s", get(client, "parts-code").getStatus())
                      .isEqualTo(OperatorReason.ConnectionPooled.name()));
    }
    assertThat(get(client, "parts-code").getStatus().message())
        .contains("the connection is transaction-pooled")
        .contains("The application may keep using its pooler");
    assertThat(eventReasons(client, "parts-code"))
        .contains(OperatorReason.ConnectionPooled.name())
        .doesNotContain(OperatorReason.PlanRejected.name());
    assertThat(db.count("SELECT count(*) FROM pg_namespace WHERE nspname = 'inflight'")).isZero();
  }

  @Test
  void wrongCredentialsGiveAClearConditionWithoutARetryStorm(TestDatabase db) throws Exception {
    parts(db, 100);
    // The embedded server trusts local connections, so an unknown role is the credential it
    // rejects.
    OperatorHarness.secret(client, "app-db", db, "intruder", "s3cret-value");
    create(client, yaml("parts-code", "public.parts", ADD_CODE, null));
    await()
        .atMost(LONG)
        .until(
            () ->
                OperatorReason.DatabaseAuthenticationFailed.name()
                    .equals(condition(client, "parts-code", ConditionType.Stalled, true)));
    assertThat(get(client, "parts-code").getStatus().message())
        .contains("role \"intruder\" does not exist")
        .doesNotContain("s3cret-value");
    double started = reconciles();
    // Three seconds without a reconcile is what "no storm" means at a two-minute re-check.
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> reconciles() == started);
    assertThat(eventReasons(client, "parts-code"))
        .containsOnlyOnce(OperatorReason.DatabaseAuthenticationFailed.name());
  }

  @Test
  void secondMigrationOnTheSameTableWaitsWithAReason(TestDatabase db) {
    parts(db, 500);
    OperatorHarness.secret(client, "app-db", db, "postgres");
    create(client, yaml("first", "public.parts", ADD_CODE, "cutover: {mode: Manual}\n"));
    awaitPhase("first", "AwaitingCutover");
    create(client, yaml("second", "public.parts", "- addColumn: {name: other, type: int}\n", null));
    await()
        .atMost(LONG)
        .until(
            () ->
                OperatorReason.WaitingForTable.name()
                    .equals(condition(client, "second", ConditionType.Reconciling, true)));
    assertThat(get(client, "second").getStatus().message())
        .contains("already has an active migration, apps/first");
    assertThat(condition(client, "second", ConditionType.Stalled, false)).isEqualTo("False");
  }

  @Test
  void aNewOperatorInstanceResumesFromTheLedger(TestDatabase db) throws Exception {
    parts(db, 40_000);
    OperatorHarness.secret(client, "app-db", db, "postgres");
    create(
        client,
        yaml(
            "parts-code",
            "public.parts",
            ADD_CODE,
            "backfill: {batchSize: 500, maxRowsPerSecond: 10000}\n"));
    // Mid-copy by the ledger: the status shows progress only every 5 s, and the copy takes four.
    await()
        .atMost(LONG)
        .ignoreExceptions()
        .until(
            () ->
                db.count(
                        "SELECT count(*) FROM inflight.migrations"
                            + " WHERE phase = 'Backfilling' AND rows_copied > 5000")
                    == 1);
    app.close();
    long copiedWhenStopped = db.count("SELECT rows_copied FROM inflight.migrations");
    assertThat(copiedWhenStopped).isBetween(5000L, 39_999L);

    app = OperatorHarness.start(client, "operator-b");
    awaitPhase("parts-code", "Completed");
    assertThat(db.count("SELECT rows_copied FROM inflight.migrations"))
        .as("copied once, not restarted")
        .isEqualTo(40_000);
    assertThat(db.count("SELECT count(*) FROM parts")).isEqualTo(40_000);
  }

  /** Waits for a phase; on timeout the failure shows the resource's status and the ledger. */
  private void awaitPhase(String name, String phase) {
    try {
      await().atMost(LONG).until(() -> phase.equals(phase(client, name)));
    } catch (ConditionTimeoutException e) {
      SchemaMigration m = get(client, name);
      throw new AssertionError(
          name
              + " did not reach "
              + phase
              + "; status: "
              + (m == null ? "(resource gone)" : m.getStatus())
              + "; events: "
              + eventReasons(client, name),
          e);
    }
  }

  /** The Argo CD health of the resource as the operator left it. */
  private String argo(String name) throws Exception {
    var node = Serialization.jsonMapper().valueToTree(get(client, name));
    return ArgoHealth.evaluate((JsonNode) node).status();
  }

  /** GETs of the Secret the mock server has seen (drains its record of requests). */
  private long secretReads() throws InterruptedException {
    return requests(r -> "GET".equals(r.getMethod()) && r.getPath().endsWith("/secrets/app-db"));
  }

  /**
   * Writes to the migration's status subresource the mock server has seen since the last call
   * (drains its record of requests).
   */
  private long statusWrites(String name) throws InterruptedException {
    String path = "/schemamigrations/" + name + "/status";
    return requests(
        r ->
            ("PATCH".equals(r.getMethod()) || "PUT".equals(r.getMethod()))
                && r.getPath().split("\\?")[0].endsWith(path));
  }

  /** The requests the mock server has seen that match, draining its whole record. */
  private long requests(Predicate<RecordedRequest> which) throws InterruptedException {
    long n = 0;
    for (var r = server.takeRequest(0, TimeUnit.SECONDS);
        r != null;
        r = server.takeRequest(0, TimeUnit.SECONDS)) {
      if (which.test(r)) {
        n++;
      }
    }
    return n;
  }

  private double reconciles() {
    return app.registry().find("operator.sdk.reconciliations.started").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private static String scrape(int port, String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    return r.body();
  }
}
