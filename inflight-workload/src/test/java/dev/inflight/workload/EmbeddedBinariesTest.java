package dev.inflight.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * A binaries jar other than the class path's (another PostgreSQL version) unpacks into a cache
 * directory of its own, once, with its executables and links intact.
 */
class EmbeddedBinariesTest {
  @Test
  void eachArchiveUnpacksOnceIntoADirectoryOfItsOwn(@TempDir Path dir) throws Exception {
    Path cache = dir.resolve("cache");
    Path v15 = binariesJar(dir.resolve("pg15.jar"), "15.13");
    Path v16 = binariesJar(dir.resolve("pg16.jar"), "16.9");

    Path bin = EmbeddedBinaries.inJar(v15).cachedIn(cache).bin();
    assertThat(bin.resolve("initdb")).isExecutable().content().contains("15.13");
    assertThat(bin.resolve("pg_ctl")).isSymbolicLink();
    assertThat(bin.getParent().resolve("share/version.txt")).isNotEmptyFile();
    assertThat(Files.isExecutable(bin.getParent().resolve("share/version.txt"))).isFalse();

    Files.writeString(bin.resolve("marker"), "kept");
    assertThat(EmbeddedBinaries.inJar(v15).cachedIn(cache).bin()).isEqualTo(bin);
    assertThat(bin.resolve("marker")).as("not unpacked again").exists();

    Path other = EmbeddedBinaries.inJar(v16).cachedIn(cache).bin();
    assertThat(other).isNotEqualTo(bin);
    assertThat(other.resolve("initdb")).content().contains("16.9");
    assertThat(EmbeddedBinaries.onClassPath().cachedIn(cache).home())
        .isNotIn(bin.getParent(), other.getParent());
    try (var left = Files.list(cache)) {
      assertThat(left).as("no partial unpack left behind").hasSize(2);
    }
  }

  @Test
  void aJarWithoutThisPlatformsArchiveIsRefusedWithTheReason(@TempDir Path dir) throws Exception {
    Path jar = dir.resolve("other.jar");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
      zip.putNextEntry(new ZipEntry("postgres-plan9-mips.txz"));
      zip.closeEntry();
    }
    assertThatThrownBy(() -> EmbeddedBinaries.inJar(jar))
        .hasMessageContaining(Platform.current().archiveName());
    assertThatThrownBy(() -> EmbeddedBinaries.inJar(dir.resolve("missing.jar")))
        .hasMessageContaining("not found");
  }

  /** A jar shaped like zonky's, with a tiny archive whose {@code initdb} names the version. */
  private static Path binariesJar(Path jar, String version) throws IOException {
    ByteArrayOutputStream txz = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar =
        new TarArchiveOutputStream(new XZOutputStream(txz, new LZMA2Options()))) {
      file(tar, "bin/initdb", 0755, "#!/bin/sh\necho " + version + "\n");
      TarArchiveEntry link = new TarArchiveEntry("bin/pg_ctl", TarConstants.LF_SYMLINK);
      link.setLinkName("initdb");
      tar.putArchiveEntry(link);
      tar.closeArchiveEntry();
      file(tar, "share/version.txt", 0644, version);
    }
    try (OutputStream out = Files.newOutputStream(jar);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry(Platform.current().archiveName()));
      zip.write(txz.toByteArray());
      zip.closeEntry();
    }
    return jar;
  }

  private static void file(TarArchiveOutputStream tar, String name, int mode, String text)
      throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setMode(mode);
    entry.setSize(bytes.length);
    tar.putArchiveEntry(entry);
    tar.write(bytes);
    tar.closeArchiveEntry();
  }
}
