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
 * its {@code .complete} stamp. The tier tests the version the build names ({@code
 * -Dinflight.k8s.version}, the script's default minor unless told otherwise), so that another build
 * in the cache, such as a {@code latest}, does not change what is tested.
 */
record KubeBinaries(Path dir, String version) {
  /** The system property the build sets: a minor (1.37), a release (1.37.2) or latest. */
  static final String VERSION_PROPERTY = "inflight.k8s.version";

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

  /** The newest complete build of the version asked for, or a failure that says how to make one. */
  static KubeBinaries locate() {
    String wanted = System.getProperty(VERSION_PROPERTY);
    if (wanted == null || wanted.isBlank()) {
      throw new IllegalStateException(
          "-D"
              + VERSION_PROPERTY
              + " names no version: the build sets it (inflight-operator/pom.xml)");
    }
    Path k8s = root().resolve("k8s");
    String arch = goArch(System.getProperty("os.arch"));
    return find(k8s, wanted, arch)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no kube-apiserver "
                        + wanted
                        + " build for linux-"
                        + arch
                        + " in "
                        + k8s
                        + ": run scripts/kube-apiserver.sh "
                        + wanted
                        + " once (10 to 15 minutes, then cached; the build runs it before this tier),"
                        + " or skip the real Kubernetes tier with -Dinflight.k8s.skip=true"));
  }

  /**
   * Go's name for the JVM's {@code os.arch}, as {@code go env GOARCH} names the directories the
   * script builds into.
   */
  static String goArch(String osArch) {
    return switch (osArch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "x86", "i386", "i486", "i586", "i686" -> "386";
      case "arm" -> "arm";
      case "ppc64le", "s390x", "riscv64", "loong64" -> osArch;
      default ->
          throw new IllegalStateException(
              "os.arch " + osArch + " has no Go architecture name this tier knows");
    };
  }

  /**
   * The newest complete build in {@code k8s} for {@code arch} that matches {@code wanted} as the
   * script matches it: a minor (its newest patch), an exact release, or latest (the newest).
   */
  static Optional<KubeBinaries> find(Path k8s, String wanted, String arch) {
    if (!Files.isDirectory(k8s)) {
      return Optional.empty();
    }
    String suffix = "-linux-" + arch;
    try (Stream<Path> dirs = Files.list(k8s)) {
      return dirs.filter(d -> d.getFileName().toString().endsWith(suffix))
          .filter(d -> Files.exists(d.resolve(".complete")))
          .map(d -> new KubeBinaries(d, versionOf(d, suffix)))
          .filter(b -> matches(b.version(), wanted))
          .max(Comparator.comparing(KubeBinaries::version, KubeBinaries::compareVersions));
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + k8s, e);
    }
  }

  /**
   * Compares dotted versions number by number. Not {@code Runtime.Version}: it refuses a version
   * whose last number is zero, such as 1.38.0.
   */
  static int compareVersions(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int c =
          Integer.compare(
              i < x.length ? Integer.parseInt(x[i]) : 0, i < y.length ? Integer.parseInt(y[i]) : 0);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private static boolean matches(String version, String wanted) {
    return wanted.equals("latest")
        || version.equals(wanted)
        || (wanted.chars().filter(c -> c == '.').count() == 1 && version.startsWith(wanted + "."));
  }

  private static String versionOf(Path dir, String suffix) {
    String name = dir.getFileName().toString();
    return name.substring(0, name.length() - suffix.length());
  }

  Path kubectl() {
    return dir.resolve("kubectl");
  }
}
