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

  /**
   * Looking at a live cluster's lock file from its own process must not release the lock: POSIX
   * record locks belong to the process and go when any of its descriptors of the file is closed, so
   * a check that opens and closes the file would leave the cluster for another process to take as
   * abandoned, and kill.
   */
  @Test
  void aLiveClusterKeepsItsLockWhenItsOwnProcessLooksForAbandonedOnes(@TempDir Path parent)
      throws Exception {
    try (DataDirectory live = DataDirectory.create(parent)) {
      DataDirectory.deleteAbandoned(parent);

      Path lockFile = parent.resolve(live.path().getFileName() + ".lock");
      assertThat(lockedByAnotherProcess(lockFile))
          .as("another process sees the lock still held")
          .isTrue();
    }
  }

  /** True when another process cannot take a record lock on the file. */
  private static boolean lockedByAnotherProcess(Path file) throws Exception {
    Process p =
        new ProcessBuilder(
                "python3",
                "-c",
                "import fcntl, sys\n"
                    + "f = open(sys.argv[1], 'w')\n"
                    + "try:\n"
                    + "    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
                    + "    print('free')\n"
                    + "except OSError:\n"
                    + "    print('held')\n",
                file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes()).strip();
    assertThat(p.waitFor()).as(out).isZero();
    return out.equals("held");
  }
}
