package dev.inflight.workload;

import java.util.Locale;

/**
 * An operating system and processor as the zonky binaries name them ({@code linux}, {@code darwin};
 * {@code x86_64}, {@code arm_64}).
 */
record Platform(String system, String arch) {
  static Platform current() {
    return of(System.getProperty("os.name"), System.getProperty("os.arch"));
  }

  static Platform of(String osName, String osArch) {
    String os = osName.toLowerCase(Locale.ROOT);
    String machine = osArch.toLowerCase(Locale.ROOT);
    String system = os.startsWith("mac") ? "darwin" : os.startsWith("linux") ? "linux" : os;
    String arch =
        switch (machine) {
          case "amd64", "x86_64", "x86-64" -> "x86_64";
          case "aarch64", "arm64" -> "arm_64";
          default -> machine;
        };
    return new Platform(system, arch);
  }

  /** The archive of the server binaries for this platform inside a binaries jar. */
  String archiveName() {
    return "postgres-" + system + "-" + arch + ".txz";
  }

  @Override
  public String toString() {
    return system + "-" + arch;
  }
}
