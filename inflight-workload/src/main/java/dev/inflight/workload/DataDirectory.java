package dev.inflight.workload;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The data directory of a {@link PgCluster}, {@code pgdata-<random>}, with a lock file beside it
 * ({@code pgdata-<random>.lock}) that its owner holds while it lives. The operating system releases
 * the lock when the owner dies, however it dies; a directory whose lock is free was abandoned (its
 * owner was killed before it could stop the server and delete it), and the next cluster created
 * under the same parent stops its server and deletes it. Directories without a lock file are never
 * touched.
 */
final class DataDirectory implements AutoCloseable {
  private static final String PREFIX = "pgdata-";
  private static final String LOCK = ".lock";
  private static final Duration SERVER_EXIT = Duration.ofSeconds(30);

  /**
   * The lock files this process holds. Their locks are POSIX record locks, which belong to the
   * process and are released when any descriptor it has of the file is closed: the search for
   * abandoned directories must not so much as open one of these, or the live cluster's lock would
   * go and another process would take it for abandoned and kill its server.
   */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path path;
  private final Path lockFile;
  private final FileChannel channel;

  private DataDirectory(Path path, Path lockFile, FileChannel channel) {
    this.path = path;
    this.lockFile = lockFile;
    this.channel = channel;
  }

  /** Creates a new, empty data directory under {@code parent} and takes its lock. */
  static DataDirectory create(Path parent) throws IOException {
    Files.createDirectories(parent);
    Path path = Files.createTempDirectory(parent, PREFIX);
    Path lockFile = parent.resolve(path.getFileName() + LOCK);
    FileChannel channel =
        FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    if (channel.tryLock() == null) {
      channel.close();
      throw new IOException("cannot lock " + lockFile + ", just created");
    }
    HELD.add(lockFile.toAbsolutePath().normalize());
    return new DataDirectory(path, lockFile, channel);
  }

  /** Stops the servers of abandoned data directories under {@code parent} and deletes them. */
  static void deleteAbandoned(Path parent) throws IOException {
    if (!Files.isDirectory(parent)) {
      return;
    }
    List<Path> locks;
    try (Stream<Path> files = Files.list(parent)) {
      locks =
          files
              .filter(
                  f -> {
                    String name = f.getFileName().toString();
                    return name.startsWith(PREFIX) && name.endsWith(LOCK);
                  })
              .toList();
    }
    for (Path lockFile : locks) {
      deleteIfAbandoned(lockFile);
    }
  }

  private static void deleteIfAbandoned(Path lockFile) throws IOException {
    if (HELD.contains(lockFile.toAbsolutePath().normalize())) {
      return; // a cluster of this process
    }
    String name = lockFile.getFileName().toString();
    Path data = lockFile.resolveSibling(name.substring(0, name.length() - LOCK.length()));
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        return; // a cluster of this process
      }
      if (lock == null) {
        return; // a cluster of a live process
      }
      killOrphanedServer(data);
      PgCluster.deleteTree(data);
      Files.deleteIfExists(lockFile);
    } catch (IOException e) {
      // Deleted meanwhile by another process cleaning up; nothing left to do.
    }
  }

  /** The server its dead owner left running, if any: nobody can connect to it any more. */
  private static void killOrphanedServer(Path data) throws IOException {
    Path pidFile = data.resolve("postmaster.pid");
    List<String> lines = Files.isRegularFile(pidFile) ? Files.readAllLines(pidFile) : List.of();
    if (lines.isEmpty() || !lines.get(0).strip().matches("\\d+")) {
      return;
    }
    Optional<ProcessHandle> server =
        ProcessHandle.of(Long.parseLong(lines.get(0).strip()))
            .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false));
    if (server.isEmpty()) {
      return;
    }
    server.get().destroyForcibly();
    try {
      server.get().onExit().get(SERVER_EXIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping the orphaned server of " + data, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("the orphaned server of " + data + " did not exit", e);
    }
  }

  Path path() {
    return path;
  }

  /** Deletes the directory, then gives up its lock. */
  @Override
  public void close() throws IOException {
    try {
      PgCluster.deleteTree(path);
      Files.deleteIfExists(lockFile);
    } finally {
      channel.close();
      HELD.remove(lockFile.toAbsolutePath().normalize());
    }
  }
}
