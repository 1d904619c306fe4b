package dev.inflight.operator;

import static dev.inflight.operator.OperatorHarness.condition;
import static dev.inflight.operator.OperatorHarness.create;
import static dev.inflight.operator.OperatorHarness.phase;
import static dev.inflight.operator.OperatorHarness.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.inflight.api.ConditionType;
import dev.inflight.monitoring.PromQl;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * deploy/monitoring reads only what the operator exports: every metric that a dashboard query or an
 * alerting rule names is in a live scrape of {@code /metrics} from an operator that has run a
 * throttled migration to Completed and reported one that cannot start (no Secret). The only name
 * allowed without the operator is Prometheus' own {@code up}.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(PostgresExtension.class)
class MonitoringContractTest {
  static final Path MONITORING = Path.of("deploy/monitoring");
  static final Path DASHBOARD = MONITORING.resolve("grafana-dashboard.json");
  static final Path RULES = MONITORING.resolve("prometheus-rules.yaml");
  static final Path PROMETHEUS_RULE = MONITORING.resolve("prometheusrule.yaml");
  private static final Set<String> FROM_PROMETHEUS = Set.of("up");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);

  KubernetesClient client;
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

  @Test
  void everyMetricTheDashboardAndTheRulesQueryIsExported(TestDatabase db) throws Exception {
    db.exec(
        "CREATE TABLE parts (id integer PRIMARY KEY, name text NOT NULL)",
        "INSERT INTO parts SELECT g, 'p' || g FROM generate_series(1, 2000) g");
    OperatorHarness.secret(client, "app-db", db, "postgres");
    create(
        client,
        yaml(
            "parts-code",
            "public.parts",
            "- addColumn: {name: code, type: text}\n",
            "backfill: {batchSize: 500, maxRowsPerSecond: 4000}\n"));
    create(
        client,
        yaml("parts-nosecret", "public.parts", "- addColumn: {name: other, type: text}\n", null)
            .replace("name: app-db", "name: missing"));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> "Completed".equals(phase(client, "parts-code")));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> "True".equals(condition(client, "parts-nosecret", ConditionType.Stalled, false)));

    String scrape = scrape("/metrics");
    Files.createDirectories(Path.of("inflight-operator/target"));
    Files.writeString(Path.of("inflight-operator/target/metrics-scrape.txt"), scrape);
    Map<String, Double> samples = samples(scrape);
    Set<String> exported = new TreeSet<>();
    samples.keySet().forEach(k -> exported.add(k.replaceAll("\\{.*", "")));

    Map<String, Set<String>> queried = new TreeMap<>();
    dashboardQueries().forEach(q -> queried.put("dashboard: " + q, PromQl.metricNames(q)));
    ruleExpressions(YAML.readTree(RULES.toFile()))
        .forEach((alert, expr) -> queried.put("rule " + alert, PromQl.metricNames(expr)));
    assertThat(queried).isNotEmpty();
    queried.forEach(
        (where, names) -> {
          assertThat(names).as("metric names in %s", where).isNotEmpty();
          for (String n : names) {
            if (!FROM_PROMETHEUS.contains(n)) {
              assertThat(exported).as("%s reads %s", where, n).contains(n);
            }
          }
        });

    String done = "{name=\"parts-code\",namespace=\"apps\",table=\"public.parts\"}";
    assertThat(samples.get("inflight_migration_rows_copied_total" + done)).isEqualTo(2000.0);
    assertThat(samples.get("inflight_migration_progress_ratio" + done)).isEqualTo(1.0);
    assertThat(
            samples.get(
                "inflight_migration_phase{name=\"parts-code\",namespace=\"apps\",phase=\"Completed\",table=\"public.parts\"}"))
        .isEqualTo(1.0);
    assertThat(
            samples.get(
                "inflight_migration_throttled_seconds_total{name=\"parts-code\",namespace=\"apps\",reason=\"MaxRowsPerSecond\",table=\"public.parts\"}"))
        .as("a copy at 4,000 rows/s waits for its pace")
        .isPositive();
    assertThat(samples.get("inflight_migration_rollback_window_expiry_timestamp_seconds" + done))
        .isGreaterThan(System.currentTimeMillis() / 1000.0);
    assertThat(
            samples.get(
                "inflight_migration_errors_total{name=\"parts-nosecret\",namespace=\"apps\",reason=\"SecretNotFound\",table=\"public.parts\"}"))
        .isGreaterThanOrEqualTo(1.0);
    assertThat(
            samples.get(
                "inflight_migration_condition{condition=\"Stalled\",name=\"parts-nosecret\",namespace=\"apps\",table=\"public.parts\"}"))
        .isEqualTo(1.0);
    assertThat(samples.keySet())
        .filteredOn(k -> k.startsWith("inflight_"))
        .as("no label of a migration series holds free text")
        .allSatisfy(k -> assertThat(k).doesNotContain(" "));
  }

  /** The PrometheusRule is the plain rule file wrapped for the Prometheus Operator, not a copy. */
  @Test
  void prometheusRuleHoldsTheSameGroupsAsThePlainRuleFile() throws Exception {
    JsonNode plain = YAML.readTree(RULES.toFile());
    JsonNode crd = YAML.readTree(PROMETHEUS_RULE.toFile());
    assertThat(crd.path("kind").asText()).isEqualTo("PrometheusRule");
    assertThat(crd.path("spec").path("groups")).isEqualTo(plain.path("groups"));
  }

  /**
   * Every expression of the dashboard: panel targets, those of panels inside a collapsed row (which
   * Grafana keeps in the row's own {@code panels}) included, and template variables.
   */
  static Set<String> dashboardQueries() throws Exception {
    JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
    Set<String> out = new TreeSet<>();
    targets(dashboard.path("panels"), out);
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (variable.path("type").asText().equals("query")) {
        JsonNode q = variable.path("query");
        out.add(q.isObject() ? q.path("query").asText() : q.asText());
      }
    }
    return out;
  }

  private static void targets(JsonNode panels, Set<String> out) {
    for (JsonNode panel : panels) {
      for (JsonNode target : panel.path("targets")) {
        out.add(target.path("expr").asText());
      }
      targets(panel.path("panels"), out);
    }
  }

  /**
   * A panel that aggregates per migration keeps the namespace: two migrations of one name in two
   * namespaces are two lines, not one sum.
   */
  @Test
  void everyPerMigrationAggregationKeepsTheNamespace() throws Exception {
    Pattern by = Pattern.compile("by \\(([^)]*)\\)");
    Set<String> queries = dashboardQueries();
    assertThat(queries)
        .as("queries of the panels inside rows are read too")
        .anyMatch(q -> q.contains("inflight_migration_writes_blocked_all_attempts_seconds"));
    for (String q : queries) {
      Matcher m = by.matcher(q);
      while (m.find()) {
        Set<String> labels = new TreeSet<>();
        for (String l : m.group(1).split(",")) {
          labels.add(l.trim());
        }
        if (labels.contains("name")) {
          assertThat(labels).as("the grouping of %s", q).contains("namespace");
        }
      }
    }
  }

  /** alert name to expression, for every rule of a rule file. */
  static Map<String, String> ruleExpressions(JsonNode ruleFile) {
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode group : ruleFile.path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        String name =
            rule.has("alert") ? rule.path("alert").asText() : rule.path("record").asText();
        out.put(name, rule.path("expr").asText());
      }
    }
    return out;
  }

  private static Map<String, Double> samples(String scrape) {
    Map<String, Double> out = new TreeMap<>();
    Matcher m = SAMPLE.matcher(scrape);
    while (m.find()) {
      String labels = m.group(2) == null ? "" : m.group(2);
      out.put(m.group(1) + labels, Double.parseDouble(m.group(3)));
    }
    return out;
  }

  private String scrape(String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + app.httpPort() + path))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }
}
