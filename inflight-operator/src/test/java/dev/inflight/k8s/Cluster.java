package dev.inflight.k8s;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real kube-apiserver with its etcd, started once per test run by kube-api-test in offline mode,
 * and an administrator's client for it (a client certificate in {@code system:masters}). Each test
 * works in namespaces of its own, so tests share the server without seeing each other.
 */
public final class Cluster implements ExtensionContext.Store.CloseableResource {
  private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static final Duration STARTUP = Duration.ofSeconds(60);

  private final KubeBinaries binaries;
  private final Path dir;
  private final KubeAPIServer server;
  private final Path kubeconfig;
  private final KubernetesClient admin;

  private Cluster(KubeBinaries binaries, Path dir, KubeAPIServer server, Path kubeconfig) {
    this.binaries = binaries;
    this.dir = dir;
    this.server = server;
    this.kubeconfig = kubeconfig;
    this.admin = new KubernetesClientBuilder().withConfig(config()).build();
  }

  static Cluster start() throws IOException {
    KubeBinaries binaries = KubeBinaries.locate();
    // kube-api-test keeps its certificates in its test directory: one directory per run, with
    // the cached binaries linked in, lets several runs share the cache.
    Path dir = Files.createTempDirectory("inflight-kube-");
    Files.createDirectories(dir.resolve("k8s"));
    Files.createSymbolicLink(
        dir.resolve("k8s").resolve(binaries.dir().getFileName()), binaries.dir());
    // Every option through the builder: kube-api-test reads its boolean and integer options from
    // environment variables with a cast that throws ClassCastException.
    KubeAPIServer server =
        new KubeAPIServer(
            KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withOfflineMode(true)
                .withTestDir(dir.toString())
                .withApiServerVersion(binaries.version())
                .withWaitForEtcdHealthCheckOnStartup(true)
                .withStartupTimeout((int) STARTUP.toMillis())
                .withUpdateKubeConfig(false)
                // Every request, with its user and response code, for the RBAC checks.
                .withApiServerFlag("--audit-policy-file", auditPolicy(dir).toString())
                .withApiServerFlag("--audit-log-path", dir.resolve("audit.log").toString())
                .build());
    notAcrossMidnight(STARTUP.plusSeconds(30));
    long started = System.nanoTime();
    try {
      server.start();
    } catch (RuntimeException e) {
      server.stop();
      throw e;
    }
    LOG.info(
        "kube-apiserver {} ready in {} ms ({})",
        binaries.version(),
        (System.nanoTime() - started) / 1_000_000,
        binaries.dir());
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, server.getKubeConfigYaml());
    return new Cluster(binaries, dir, server, kubeconfig);
  }

  /**
   * kube-api-test measures its start-up timeouts with {@code LocalTime}, which wraps at midnight: a
   * start whose timeout window crosses midnight fails at once with "did not start properly". Such a
   * start waits for midnight to pass instead.
   */
  private static void notAcrossMidnight(Duration window) {
    if (crossesMidnight(window)) {
      LOG.info("waiting for midnight to pass before starting kube-apiserver");
      await()
          .atMost(window.plusSeconds(5))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> !crossesMidnight(window));
    }
  }

  private static boolean crossesMidnight(Duration window) {
    LocalTime now = LocalTime.now();
    return now.plus(window).isBefore(now);
  }

  private static Path auditPolicy(Path dir) throws IOException {
    return Files.writeString(
        dir.resolve("audit-policy.yaml"),
        """
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages: [RequestReceived]
        rules:
          - level: Metadata
        """);
  }

  /** The requests the server has answered so far, from its audit log. */
  public List<AuditRecord> audit() {
    try (Stream<String> lines = Files.lines(dir.resolve("audit.log"))) {
      return lines.map(AuditRecord::parse).toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private Config config() {
    try {
      return Config.fromKubeconfig(Files.readString(kubeconfig));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client with the administrator's rights. */
  public KubernetesClient admin() {
    return admin;
  }

  /**
   * A client that acts as a service account: the server authorizes every request with that
   * account's RBAC, as it would for a pod running under it. The caller closes it.
   */
  public KubernetesClient as(String namespace, String serviceAccount) {
    Config config =
        new ConfigBuilder(config())
            .withImpersonateUsername("system:serviceaccount:" + namespace + ":" + serviceAccount)
            .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** The kubeconfig file for the administrator, for kubectl. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  /** The server's version, such as {@code 1.37.2}. */
  public String version() {
    return binaries.version();
  }

  /** Whether the server evaluates CRD {@code x-kubernetes-validations} (CEL, on from 1.25). */
  public boolean enforcesCelRules() {
    return atLeast("1.25");
  }

  /** Whether the server's CRD schema has the {@code x-kubernetes-validations} field (1.23+). */
  public boolean knowsCelRules() {
    return atLeast("1.23");
  }

  private boolean atLeast(String version) {
    return KubeBinaries.compareVersions(version(), version) >= 0;
  }

  public Kubectl kubectl() {
    return new Kubectl(binaries.kubectl(), kubeconfig);
  }

  /** Creates a namespace with a fresh name starting with {@code prefix}. */
  public String namespace(String prefix) {
    String name = prefix + "-" + NAMESPACES.incrementAndGet();
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  @Override
  public void close() throws IOException {
    admin.close();
    server.stop();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
