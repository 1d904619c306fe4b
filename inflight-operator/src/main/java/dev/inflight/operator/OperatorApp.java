package dev.inflight.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.inflight.engine.EngineSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The operator process: the JOSDK operator with the SchemaMigration reconciler, leader election on
 * a Lease, Prometheus metrics on {@code /metrics} and probes on {@code /healthz} and {@code
 * /readyz}.
 *
 * @param namespaces watched namespaces; empty for all
 * @param leaseNamespace the Lease's namespace; null disables leader election
 * @param httpPort 0 for an ephemeral port, negative for no HTTP server
 */
public final class OperatorApp implements AutoCloseable {
  /** How the operator runs. */
  public record Options(
      List<String> namespaces,
      String leaseNamespace,
      String identity,
      int httpPort,
      boolean exitOnLostLease,
      int copiesPerDatabase) {
    /** At most one migration copying per database, the default. */
    public static final int DEFAULT_COPIES_PER_DATABASE = 1;

    public Options(
        List<String> namespaces,
        String leaseNamespace,
        String identity,
        int httpPort,
        boolean exitOnLostLease) {
      this(
          namespaces,
          leaseNamespace,
          identity,
          httpPort,
          exitOnLostLease,
          DEFAULT_COPIES_PER_DATABASE);
    }
  }

  private final Operator operator;
  private final Databases databases;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpServer http;

  /**
   * How the operator writes the status and its finalizer. Production has one way, server-side
   * apply; the other exists for the Fabric8 mock API server, which takes an apply patch as a JSON
   * merge patch and keeps no managedFields, and is reachable only from this package's tests.
   */
  enum PrimaryPatches {
    /** Server-side apply under {@link SchemaMigrationReconciler#FIELD_MANAGER}, forced. */
    SERVER_SIDE_APPLY,
    /** JSON patches computed against the cached resource: for the mock API server only. */
    JSON_PATCHES_FOR_THE_MOCK_SERVER
  }

  public OperatorApp(KubernetesClient client, Options options, EngineSettings settings)
      throws IOException {
    this(client, options, settings, PrimaryPatches.SERVER_SIDE_APPLY);
  }

  OperatorApp(
      KubernetesClient client, Options options, EngineSettings settings, PrimaryPatches patches)
      throws IOException {
    new JvmMemoryMetrics().bindTo(registry);
    this.databases = new Databases(Clock.systemUTC(), settings);
    this.operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withUseSSAToPatchPrimaryResource(patches == PrimaryPatches.SERVER_SIDE_APPLY)
                  .withCloseClientOnStop(false)
                  // On shutdown, let a step in flight finish (and commit or roll back) before the
                  // database pools close under it.
                  .withReconciliationTerminationTimeout(Duration.ofSeconds(30))
                  .withMetrics(reconcileMetrics(registry));
              if (options.leaseNamespace() != null) {
                LeaderElectionConfigurationBuilder lease =
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(
                            "inflight-operator")
                        .withLeaseNamespace(options.leaseNamespace())
                        .withIdentity(options.identity());
                // A process that lost its Lease exits (and is restarted by its Deployment); JOSDK
                // 5.3 allows staying alive only through its test builder, which tests that run
                // several operators in one JVM need.
                o.withLeaderElectionConfiguration(
                    options.exitOnLostLease()
                        ? lease.build()
                        : lease.buildForTest(options.exitOnLostLease()));
              }
            });
    SchemaMigrationReconciler reconciler =
        new SchemaMigrationReconciler(
            client,
            databases,
            new EventRecorder(client, options.identity()),
            new MigrationMetrics(registry, Clock.systemUTC()),
            Clock.systemUTC(),
            options.copiesPerDatabase());
    operator.register(
        reconciler,
        c -> {
          if (!options.namespaces().isEmpty()) {
            c.settingNamespaces(options.namespaces().toArray(String[]::new));
          }
          c.withRetry(
              new GenericRetry()
                  .setMaxAttempts(10)
                  .setInitialInterval(Duration.ofSeconds(1))
                  .setIntervalMultiplier(2.0)
                  .setMaxInterval(60_000));
        });
    this.http = options.httpPort() < 0 ? null : http(options.httpPort());
  }

  /**
   * JOSDK's own reconcile metrics ({@code operator_sdk_*}: reconciles started, succeeded, failed,
   * retried, their durations, queue sizes) in the same registry, per controller and without
   * per-resource tags, so their series do not grow with the number of migrations. The one place
   * that knows JOSDK's Micrometer API.
   */
  private static Metrics reconcileMetrics(MeterRegistry registry) {
    return MicrometerMetrics.withoutPerResourceMetrics(registry);
  }

  public void start() {
    operator.start();
    if (http != null) {
      http.start();
    }
  }

  /** The port of the HTTP server (metrics and probes), or -1. */
  public int httpPort() {
    return http == null ? -1 : http.getAddress().getPort();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  private HttpServer http(int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext(
        "/metrics",
        ex -> reply(ex, 200, registry.scrape(), "text/plain; version=0.0.4; charset=utf-8"));
    server.createContext("/healthz", ex -> reply(ex, 200, "ok\n", "text/plain"));
    server.createContext(
        "/readyz",
        ex -> {
          boolean ready =
              operator.getRuntimeInfo().isStarted()
                  && operator.getRuntimeInfo().allEventSourcesAreHealthy();
          reply(ex, ready ? 200 : 503, ready ? "ready\n" : "not ready\n", "text/plain");
        });
    return server;
  }

  private static void reply(HttpExchange ex, int code, String body, String type)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }

  @Override
  public void close() {
    if (http != null) {
      http.stop(0);
    }
    operator.stop();
    databases.close();
  }
}
