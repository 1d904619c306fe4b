package dev.inflight.workload;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * The PostgreSQL server binaries the jar carries (the embedded server's), unpacked once into a
 * directory so that {@link PgCluster} can run {@code initdb} and {@code pg_ctl} from them: nothing
 * to install.
 */
public final class EmbeddedBinaries {
  private EmbeddedBinaries() {}

  /** The {@code bin} directory of the unpacked binaries, unpacking them on first use. */
  public static synchronized Path bin() throws IOException {
    String machine = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String arch =
        machine.equals("amd64") || machine.equals("x86_64")
            ? "x86_64"
            : machine.equals("aarch64") ? "arm_64" : machine;
    String system = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    system = system.startsWith("mac") ? "Darwin" : system.startsWith("linux") ? "Linux" : system;
    Path root =
        Path.of(
            System.getProperty("java.io.tmpdir"),
            "inflight-pg-" + System.getProperty("user.name"),
            implementationKey(system, arch));
    Path ready = root.resolve(".complete");
    if (!Files.exists(ready)) {
      Files.createDirectories(root);
      Path partial = Files.createTempDirectory(root, "unpack-");
      try (InputStream txz = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, arch)) {
        unpack(txz, partial);
      }
      for (String dir : new String[] {"bin", "lib", "share"}) {
        Path from = partial.resolve(dir);
        if (Files.exists(from) && !Files.exists(root.resolve(dir))) {
          Files.move(from, root.resolve(dir), StandardCopyOption.ATOMIC_MOVE);
        }
      }
      PgCluster.deleteTree(partial);
      Files.writeString(ready, "");
    }
    return root.resolve("bin");
  }

  /** Distinguishes builds of different PostgreSQL versions on the classpath. */
  private static String implementationKey(String system, String arch) {
    Package p = DefaultPostgresBinaryResolver.class.getPackage();
    String zonky =
        p == null || p.getImplementationVersion() == null ? "" : p.getImplementationVersion();
    String server =
        String.valueOf(
            DefaultPostgresBinaryResolver.class
                .getClassLoader()
                .getResource("postgres-" + system.toLowerCase(Locale.ROOT) + "-" + arch + ".txz"));
    return (system + "-" + arch + "-" + Integer.toHexString((zonky + server).hashCode()))
        .toLowerCase(Locale.ROOT);
  }

  private static void unpack(InputStream txz, Path into) throws IOException {
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new XZCompressorInputStream(new BufferedInputStream(txz)))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        Path target = into.resolve(e.getName()).normalize();
        if (!target.startsWith(into)) {
          throw new IOException("unexpected path in the PostgreSQL archive: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else if (e.isSymbolicLink()) {
          Files.createDirectories(target.getParent());
          Files.deleteIfExists(target);
          Files.createSymbolicLink(target, Path.of(e.getLinkName()));
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
          boolean exec = (e.getMode() & 0100) != 0;
          Files.setPosixFilePermissions(
              target, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
        }
      }
    }
  }
}
