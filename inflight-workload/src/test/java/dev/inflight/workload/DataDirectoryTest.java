package dev.inflight.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory whose owner died (its lock is free) is deleted by the next cluster created
 * beside it; one whose owner lives, and one that was never locked, are left alone.
 */
class DataDirectoryTest {
  @Test
  void onlyAbandonedDirectoriesAreDeleted(@TempDir Path parent) throws Exception {
    Path abandoned = Files.createDirectories(parent.resolve("pgdata-1/base/5"));
    Files.writeString(abandoned.resolve("16384"), "rows");
    Files.writeString(parent.resolve("pgdata-1.lock"), "");
    Path unlocked = Files.createDirectories(parent.resolve("pgdata-2"));
    Path other = Files.createDirectories(parent.resolve("something-else"));

    try (DataDirectory live = DataDirectory.create(parent)) {
      DataDirectory.deleteAbandoned(parent);

      assertThat(parent.resolve("pgdata-1")).doesNotExist();
      assertThat(parent.resolve("pgdata-1.lock")).doesNotExist();
      assertThat(live.path()).isDirectory();
      assertThat(unlocked).as("no lock file: not ours to judge").isDirectory();
      assertThat(other).isDirectory();
    }
    try (var left = Files.list(parent)) {
      assertThat(left).containsExactlyInAnyOrder(unlocked, other);
    }
  }
}
