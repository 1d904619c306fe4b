package dev.inflight.k8s;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands tests the run's {@link Cluster}, starting it on first use and stopping it when the run ends
 * (it lives in the root context's store).
 */
public final class KubeApiServerExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(KubeApiServerExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == Cluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    return e.getRoot()
        .getStore(NS)
        .getOrComputeIfAbsent(
            "cluster",
            k -> {
              try {
                return Cluster.start();
              } catch (Exception ex) {
                throw new IllegalStateException("cannot start kube-apiserver: " + ex, ex);
              }
            },
            Cluster.class);
  }
}
