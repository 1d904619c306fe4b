package dev.inflight.k8s;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where {@code scripts/kube-apiserver.sh} left kube-apiserver, etcd and kubectl: {@code
 * $INFLIGHT_KUBE_DIR/k8s/<version>-linux-<arch>/}, by default under {@code
 * ${XDG_CACHE_HOME:-~/.cache}/inflight/kube}. A directory counts only once the script has written
 * its {@code .complete} stamp.
 */
record KubeBinaries(Path dir, String version) {
  static final String SUFFIX = "-linux-amd64";

  static Path root() {
    String explicit = System.getenv("INFLIGHT_KUBE_DIR");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path cache =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return cache.resolve("inflight").resolve("kube");
  }

  /** The newest complete build, or a failure that says how to make one. */
  static KubeBinaries locate() {
    Path k8s = root().resolve("k8s");
    return find(k8s)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no kube-apiserver build in "
                        + k8s
                        + ": run scripts/kube-apiserver.sh once (10 to 15 minutes, then cached; the build runs it before this tier),"
                        + " or skip the real Kubernetes tier with -Dinflight.k8s.skip=true"));
  }

  private static Optional<KubeBinaries> find(Path k8s) {
    if (!Files.isDirectory(k8s)) {
      return Optional.empty();
    }
    try (Stream<Path> dirs = Files.list(k8s)) {
      return dirs.filter(d -> d.getFileName().toString().endsWith(SUFFIX))
          .filter(d -> Files.exists(d.resolve(".complete")))
          .map(d -> new KubeBinaries(d, versionOf(d)))
          .max(Comparator.comparing(b -> Runtime.Version.parse(b.version())));
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + k8s, e);
    }
  }

  private static String versionOf(Path dir) {
    String name = dir.getFileName().toString();
    return name.substring(0, name.length() - SUFFIX.length());
  }

  Path kubectl() {
    return dir.resolve("kubectl");
  }
}
