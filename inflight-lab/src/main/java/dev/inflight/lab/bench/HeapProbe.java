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
 * Runs an {@code inflight} command line in this JVM and writes what its heap did to a file: the
 * peak of heap in use (sampled every 10 ms) and the largest heap still live after a garbage
 * collection, which is what the command itself holds. Usage: {@code HeapProbe OUTFILE args...}.
 */
public final class HeapProbe {
  private HeapProbe() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    AtomicLong peakUsed = new AtomicLong();
    AtomicLong maxLive = new AtomicLong();
    AtomicLong collections = new AtomicLong();
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
                maxLive.accumulateAndGet(live, Math::max);
                collections.incrementAndGet();
              },
              null,
              null);
    }
    Thread sampler =
        new Thread(
            () -> {
              while (true) {
                long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                peakUsed.accumulateAndGet(used, Math::max);
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
    int code = Main.run(Arrays.copyOfRange(args, 1, args.length));
    sampler.interrupt();
    Files.writeString(
        out,
        "{\"exitCode\": "
            + code
            + ", \"peakHeapUsedBytes\": "
            + peakUsed.get()
            + ", \"maxLiveHeapBytes\": "
            + maxLive.get()
            + ", \"collections\": "
            + collections.get()
            + ", \"maxHeapBytes\": "
            + Runtime.getRuntime().maxMemory()
            + "}\n");
    System.exit(code);
  }
}
