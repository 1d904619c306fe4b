package dev.inflight.operator;

import dev.inflight.engine.EngineSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the Kubernetes operator against the current kubeconfig (or in-cluster config): the main
 * class of the operator's image, and {@code inflight operator} on the command line.
 */
@Command(
    name = "operator",
    mixinStandardHelpOptions = true,
    description = "Run the Kubernetes operator (current kubeconfig or in-cluster).")
public final class OperatorCommand implements Callable<Integer> {
  public static void main(String[] args) {
    System.exit(new CommandLine(new OperatorCommand()).execute(args));
  }

  @Option(
      names = {"-n", "--namespace"},
      description = "namespace to watch (repeatable; default: all)")
  List<String> namespaces = List.of();

  @Option(
      names = "--lease-namespace",
      defaultValue = "${env:POD_NAMESPACE}",
      description =
          "namespace of the leader-election Lease (default: $POD_NAMESPACE; none: no leader election)")
  String leaseNamespace;

  @Option(
      names = "--http-port",
      defaultValue = "8080",
      description = "port for /metrics, /healthz, /readyz")
  int httpPort;

  @Option(
      names = "--max-copies-per-database",
      defaultValue = "1",
      description =
          "migrations that may copy at once on one database (CreatingShadow to CuttingOver, not"
              + " while waiting at a manual cut-over);"
              + " others wait in Planning with reason Queued, in the order they were submitted"
              + " (default: 1)")
  int copiesPerDatabase;

  @Option(names = "--log-format", defaultValue = "json", description = "json or text")
  String logFormat;

  @Override
  public Integer call() throws Exception {
    Logging.configure(logFormat);
    String identity =
        System.getenv().getOrDefault("POD_NAME", InetAddress.getLocalHost().getHostName());
    try (KubernetesClient client = new KubernetesClientBuilder().build();
        OperatorApp app =
            new OperatorApp(
                client,
                new OperatorApp.Options(
                    namespaces,
                    blankToNull(leaseNamespace),
                    identity,
                    httpPort,
                    true,
                    copiesPerDatabase),
                EngineSettings.defaults())) {
      app.start();
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      stop.await();
    }
    return 0;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
