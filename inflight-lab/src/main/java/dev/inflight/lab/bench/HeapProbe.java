package dev.inflight.lab.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.inflight.cli.Main;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Watches the heap of an {@code inflight} command line and writes what it did to a file: the peak
 * of heap in use (sampled every 10 ms) and the largest heap still live after a garbage collection,
 * which is what the command itself holds. Either a Java agent of the command's own JVM ({@code
 * -javaagent:probe.jar=OUTFILE}, written at exit), so the command starts exactly as users start it,
 * or the main class of a JVM that runs the command line itself ({@code HeapProbe OUTFILE args...}).
 */
public final class HeapProbe {
  private final AtomicLong peakUsed = new AtomicLong();
  private final AtomicLong maxLive = new AtomicLong();
  private final AtomicLong collections = new AtomicLong();

  private HeapProbe() {}

  /** As an agent: watches from the start and writes the file when the JVM exits. */
  public static void premain(String outFile) {
    HeapProbe probe = start();
    Path out = Path.of(outFile);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    Files.writeString(out, probe.json(null));
                  } catch (IOException e) {
                    System.err.println("heap probe: cannot write " + out + ": " + e.getMessage());
                  }
                },
                "heap-probe-report"));
  }

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    HeapProbe probe = start();
    int code = Main.run(Arrays.copyOfRange(args, 1, args.length));
    Files.writeString(out, probe.json(code));
    System.exit(code);
  }

  private static HeapProbe start() {
    HeapProbe probe = new HeapProbe();
    Set<String> heapPools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .map(MemoryPoolMXBean::getName)
            .collect(Collectors.toSet());
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc)
          .addNotificationListener(
              (n, handback) -> {
                if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                    n.getType())) {
                  return;
                }
                var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                // Heap pools only: metaspace and code cache are not what a migration holds.
                long live =
                    info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                        .filter(e -> heapPools.contains(e.getKey()))
                        .mapToLong(e -> e.getValue().getUsed())
                        .sum();
                probe.maxLive.accumulateAndGet(live, Math::max);
                probe.collections.incrementAndGet();
              },
              null,
              null);
    }
    Thread sampler =
        new Thread(
            () -> {
              while (true) {
                long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                probe.peakUsed.accumulateAndGet(used, Math::max);
                try {
                  Thread.sleep(10);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
    return probe;
  }

  private String json(Integer exitCode) {
    return "{"
        + (exitCode == null ? "" : "\"exitCode\": " + exitCode + ", ")
        + "\"peakHeapUsedBytes\": "
        + peakUsed.get()
        + ", \"maxLiveHeapBytes\": "
        + maxLive.get()
        + ", \"collections\": "
        + collections.get()
        + ", \"maxHeapBytes\": "
        + Runtime.getRuntime().maxMemory()
        + "}\n";
  }
}
