package dev.inflight.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.zaxxer.hikari.HikariDataSource;
import dev.inflight.api.ConditionType;
import dev.inflight.api.MigrationStatus;
import dev.inflight.operator.OperatorApp;
import dev.inflight.operator.resource.SchemaMigration;
import dev.inflight.testing.PostgresServer;
import dev.inflight.testing.TestDatabase;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.Timer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Many migrations at once: {@code inflight.fleet.migrations} SchemaMigrations (default 10) over
 * {@code inflight.fleet.databases} databases of one PostgreSQL server (default 3), applied together
 * in one kubectl apply, each on its own table of {@code inflight.fleet.rows} rows. It checks that
 * no database ever has more migrations copying than the operator's limit (one), that every
 * migration that had to wait said so (reason Queued, naming the migration it waited for), and that
 * the operator's requests fall to a slow poll once everything is Completed (no hot loop). It
 * measures what docs/benchmarks/fleet.md reports, written to {@code
 * target/fleet-<migrations>x<databases>.json}; run the large version with {@code
 * -Dinflight.fleet.migrations=100 -Dinflight.fleet.databases=20} (see that page).
 */
@RealKubernetes
class FleetOnRealServerTest {
  private static final int MIGRATIONS = Integer.getInteger("inflight.fleet.migrations", 10);
  private static final int DATABASES = Integer.getInteger("inflight.fleet.databases", 3);
  private static final int ROWS = Integer.getInteger("inflight.fleet.rows", 2_000);
  private static final Duration IDLE_WINDOW = Duration.ofSeconds(30);
  private static final List<String> COPYING =
      List.of("CreatingShadow", "Backfilling", "Syncing", "CuttingOver");

  private final List<HikariDataSource> pools = new ArrayList<>();
  private Operators.Running operator;
  private String ns;

  @BeforeAll
  static void install(Cluster k8s) {
    Deploy.crd(k8s);
    Deploy.manifests(k8s);
  }

  @AfterEach
  void stop(Cluster k8s) {
    if (operator != null) {
      operator.close();
    }
    pools.forEach(HikariDataSource::close);
    if (ns != null) {
      Operators.clean(k8s, ns);
    }
  }

  /** What the test saw of one migration. */
  static final class Seen {
    final String name;
    final int database;
    Instant created;
    Instant firstStatus;
    Instant copyStarted;
    Instant completed;
    String queuedBehind;
    final List<String> reasons = new ArrayList<>();

    Seen(String name, int database) {
      this.name = name;
      this.database = database;
    }
  }

  @Test
  void manyMigrationsStartedTogetherCopyOnePerDatabaseAndSettleWithoutHotLoops(Cluster k8s)
      throws Exception {
    ns = k8s.namespace("fleet");
    PostgresServer server = PostgresServer.get(PostgresServer.defaultMajor());
    List<DataSource> databases = new ArrayList<>();
    int tablesPerDatabase = (MIGRATIONS + DATABASES - 1) / DATABASES;
    for (int d = 0; d < DATABASES; d++) {
      String url = server.createDatabase("fleet" + d);
      HikariDataSource pool = TestDatabase.pool(url, 2);
      pools.add(pool);
      databases.add(pool);
      try (Connection c = pool.getConnection();
          Statement st = c.createStatement()) {
        for (int t = 0; t < tablesPerDatabase; t++) {
          st.execute(
              "CREATE TABLE t"
                  + t
                  + " (id bigint PRIMARY KEY, name text NOT NULL, n integer NOT NULL)");
          st.execute(
              "INSERT INTO t"
                  + t
                  + " SELECT g, 'row ' || g, g % 7 FROM generate_series(1, "
                  + ROWS
                  + ") g");
        }
      }
      Operators.secret(k8s, ns, "db-" + d, url);
    }

    Map<String, Seen> seen = new ConcurrentHashMap<>();
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; i < MIGRATIONS; i++) {
      String name = String.format("m%03d", i);
      int d = i % DATABASES;
      seen.put(name, new Seen(name, d));
      yaml.append(
          """
          apiVersion: inflight.dev/v1alpha1
          kind: SchemaMigration
          metadata: {name: %s}
          spec:
            database: {secretRef: {name: db-%d}}
            table: public.t%d
            changes:
              - addColumn: {name: code, type: text, default: "'c'"}
            rollback: {retainFor: 1h}
          ---
          """
              .formatted(name, d, i / DATABASES));
    }
    Path file = Files.createTempFile("fleet-", ".yaml");
    Files.writeString(file, yaml);

    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    List<Map<String, Object>> heap = new ArrayList<>();
    heap.add(heapSample(memory, "before the operator", 0));
    operator = Operators.start(k8s, "inflight-operator-0", false);
    SharedIndexInformer<SchemaMigration> informer =
        k8s.admin().resources(SchemaMigration.class).inNamespace(ns).inform(new Observer(seen), 0);

    Map<Integer, Integer> maxCopying = new ConcurrentHashMap<>();
    Map<Integer, List<String>> overlaps = new ConcurrentHashMap<>();
    ScheduledExecutorService sampler = Executors.newScheduledThreadPool(2);
    sampler.scheduleWithFixedDelay(
        () -> sampleCopies(databases, maxCopying, overlaps), 0, 100, TimeUnit.MILLISECONDS);
    Instant start = Instant.now();
    Kubectl.Result applied =
        k8s.kubectl().run(Duration.ofSeconds(120), "apply", "-n", ns, "-f", file.toString());
    assertThat(applied.ok()).as(applied.err()).isTrue();
    sampler.scheduleWithFixedDelay(
        () -> {
          synchronized (heap) {
            heap.add(heapSample(memory, "running", countCompleted(seen)));
          }
        },
        5,
        5,
        TimeUnit.SECONDS);

    Duration timeout = Duration.ofSeconds(Math.max(180, MIGRATIONS * 12L));
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> countCompleted(seen) == MIGRATIONS);
    Instant settled = Instant.now();
    sampler.shutdownNow();
    sampler.awaitTermination(10, TimeUnit.SECONDS);
    heap.add(heapSample(memory, "all Completed", MIGRATIONS));

    // Idle: every migration stays Completed while the operator only polls.
    Instant idleFrom = Instant.now();
    await()
        .during(IDLE_WINDOW)
        .atMost(IDLE_WINDOW.plusSeconds(15))
        .until(() -> countCompleted(seen) == MIGRATIONS);
    Instant idleTo = Instant.now();
    heap.add(heapSample(memory, "idle, all Completed", MIGRATIONS));
    informer.close();

    List<AuditRecord> requests =
        k8s.audit().stream().filter(r -> Operators.USER.equals(r.user())).toList();
    List<AuditRecord> run =
        requests.stream()
            .filter(r -> !r.received().isBefore(start) && r.received().isBefore(settled))
            .toList();
    long idle =
        requests.stream()
            .filter(r -> !r.received().isBefore(idleFrom) && r.received().isBefore(idleTo))
            .count();
    double idlePerMigrationMinute =
        idle * 60_000.0 / Duration.between(idleFrom, idleTo).toMillis() / MIGRATIONS;

    Map<String, Object> report =
        report(seen, maxCopying, heap, run, start, settled, idlePerMigrationMinute);
    report.put("kubeApiServer", k8s.admin().getKubernetesVersion().getGitVersion());
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Path out = Path.of("target", "fleet-" + MIGRATIONS + "x" + DATABASES + ".json");
    Files.createDirectories(out.getParent());
    json.writeValue(out.toFile(), report);
    System.out.println("fleet report (" + out + "):\n" + json.writeValueAsString(report));

    // The limit: never two migrations copying on one database.
    assertThat(maxCopying).as("databases sampled").hasSize(DATABASES);
    assertThat(maxCopying.values())
        .as("most migrations copying at once per database; overlaps: %s", overlaps)
        .allMatch(n -> n == OperatorApp.Options.DEFAULT_COPIES_PER_DATABASE);
    // Those that waited said why, naming a migration of their own database.
    List<Seen> queued = seen.values().stream().filter(s -> s.queuedBehind != null).toList();
    // Not every later migration must wait: one whose database's copy ended before it left
    // Planning starts at once. Started together on fewer databases, some do wait.
    assertThat(queued).isNotEmpty();
    assertThat(queued)
        .allSatisfy(
            s ->
                assertThat(seen.get(s.queuedBehind.substring(ns.length() + 1)).database)
                    .as("%s waited for %s", s.name, s.queuedBehind)
                    .isEqualTo(s.database));
    // Each said it once in an Event too (kubectl get events); the watch can miss a short wait's
    // status, the Event it emitted stays.
    assertThat(
            k8s.admin().events().v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> "Queued".equals(e.getReason()))
                .map(e -> e.getRegarding().getName())
                .distinct()
                .count())
        .isGreaterThanOrEqualTo(queued.size());
    // Settled, the operator polls each Completed migration every 15 s and writes nothing while its
    // status is unchanged; what is left is the Secret, read at most every 10 s per Secret.
    assertThat(idlePerMigrationMinute).isLessThan(3.0);
    Operators.assertNothingForbidden(k8s);
  }

  /** Records, for each migration, what its status said and when. */
  private static final class Observer implements ResourceEventHandler<SchemaMigration> {
    private final Map<String, Seen> seen;

    Observer(Map<String, Seen> seen) {
      this.seen = seen;
    }

    @Override
    public void onAdd(SchemaMigration m) {
      observe(m);
    }

    @Override
    public void onUpdate(SchemaMigration before, SchemaMigration m) {
      observe(m);
    }

    @Override
    public void onDelete(SchemaMigration m, boolean unknown) {}

    private void observe(SchemaMigration m) {
      Seen s = seen.get(m.getMetadata().getName());
      if (s == null) {
        return;
      }
      Instant now = Instant.now();
      synchronized (s) {
        if (s.created == null) {
          s.created = Instant.parse(m.getMetadata().getCreationTimestamp());
        }
        MigrationStatus status = m.getStatus();
        if (status == null) {
          return;
        }
        if (s.firstStatus == null) {
          s.firstStatus = now;
        }
        if (s.copyStarted == null && COPYING.contains(status.phase())) {
          s.copyStarted = now;
        }
        if (s.completed == null && "Completed".equals(status.phase())) {
          s.completed = now;
        }
        status.conditions().stream()
            .filter(c -> ConditionType.Reconciling.typeOf(c) && "True".equals(c.status()))
            .findFirst()
            .ifPresent(
                c -> {
                  if (s.reasons.isEmpty()
                      || !s.reasons.get(s.reasons.size() - 1).equals(c.reason())) {
                    s.reasons.add(c.reason());
                  }
                  if ("Queued".equals(c.reason()) && s.queuedBehind == null) {
                    s.queuedBehind = c.message().replaceFirst("^queued: (\\S+) .*$", "$1");
                  }
                });
      }
    }
  }

  private static long countCompleted(Map<String, Seen> seen) {
    return seen.values().stream()
        .filter(
            s -> {
              synchronized (s) {
                return s.completed != null;
              }
            })
        .count();
  }

  /** How many migrations of each database are copying now, from its ledger. */
  private static void sampleCopies(
      List<DataSource> databases,
      Map<Integer, Integer> maxCopying,
      Map<Integer, List<String>> overlaps) {
    for (int d = 0; d < databases.size(); d++) {
      List<String> names = new ArrayList<>();
      try (Connection c = databases.get(d).getConnection();
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT name FROM inflight.migrations WHERE phase IN ("
                      + COPYING.stream().map(p -> "'" + p + "'").collect(Collectors.joining(","))
                      + ")")) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      } catch (SQLException e) {
        // No ledger yet: nothing submitted on this database so far.
        continue;
      }
      maxCopying.merge(d, names.size(), Math::max);
      if (names.size() > 1) {
        overlaps.put(d, names);
      }
    }
  }

  private static Map<String, Object> heapSample(MemoryMXBean memory, String when, long completed) {
    memory.gc();
    Map<String, Object> sample = new LinkedHashMap<>();
    sample.put("when", when);
    sample.put("at", Instant.now().toString());
    sample.put("completed", completed);
    sample.put("heapUsedMiB", memory.getHeapMemoryUsage().getUsed() / (1024 * 1024));
    return sample;
  }

  private Map<String, Object> report(
      Map<String, Seen> seen,
      Map<Integer, Integer> maxCopying,
      List<Map<String, Object>> heap,
      List<AuditRecord> run,
      Instant start,
      Instant settled,
      double idlePerMigrationMinute) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("migrations", MIGRATIONS);
    r.put("databases", DATABASES);
    r.put("rowsPerTable", ROWS);
    r.put("copiesPerDatabase", OperatorApp.Options.DEFAULT_COPIES_PER_DATABASE);
    r.put("kubeApiServer", null);
    r.put("wallSeconds", Duration.between(start, settled).toMillis() / 1000.0);
    List<Seen> all = new ArrayList<>(seen.values());
    r.put(
        "createdToFirstStatusMillis",
        stats(all.stream().map(s -> millis(s.created, s.firstStatus)).toList()));
    r.put(
        "createdToCopyStartMillis",
        stats(all.stream().map(s -> millis(s.created, s.copyStarted)).toList()));
    r.put(
        "copyStartToCompletedMillis",
        stats(all.stream().map(s -> millis(s.copyStarted, s.completed)).toList()));
    r.put(
        "createdToCompletedMillis",
        stats(all.stream().map(s -> millis(s.created, s.completed)).toList()));
    Map<Integer, List<Seen>> byDb =
        all.stream()
            .collect(Collectors.groupingBy(s -> s.database, TreeMap::new, Collectors.toList()));
    r.put(
        "firstCompletedPerDatabaseMillis",
        stats(
            byDb.values().stream()
                .map(
                    l ->
                        l.stream()
                            .map(s -> millis(start, s.completed))
                            .min(Comparator.naturalOrder())
                            .orElse(-1L))
                .toList()));
    r.put(
        "lastCompletedPerDatabaseMillis",
        stats(
            byDb.values().stream()
                .map(
                    l ->
                        l.stream()
                            .map(s -> millis(start, s.completed))
                            .max(Comparator.naturalOrder())
                            .orElse(-1L))
                .toList()));
    r.put("maxCopyingPerDatabase", new TreeMap<>(maxCopying));
    r.put("queued", all.stream().filter(s -> s.queuedBehind != null).count());
    r.put(
        "reasonSequences",
        all.stream()
            .collect(
                Collectors.groupingBy(
                    s -> String.join(" > ", s.reasons), TreeMap::new, Collectors.counting())));
    double minutes = Duration.between(start, settled).toMillis() / 60_000.0;
    r.put("operatorRequests", run.size());
    r.put("operatorRequestsPerMinute", Math.round(run.size() / minutes));
    r.put(
        "operatorRequestsByKind",
        run.stream()
            .collect(
                Collectors.groupingBy(
                    a -> a.verb() + " " + a.rbacResource(), TreeMap::new, Collectors.counting())));
    Map<String, Long> perMinute = new TreeMap<>();
    for (AuditRecord a : run) {
      long minute = Duration.between(start, a.received()).toMinutes();
      perMinute.merge("minute " + minute, 1L, Long::sum);
    }
    r.put("operatorRequestsPerMinuteOfTheRun", perMinute);
    r.put("idleRequestsPerMigrationPerMinute", Math.round(idlePerMigrationMinute * 10) / 10.0);
    r.put("reconcileTimers", reconcileTimers());
    r.put("heap", heap);
    return r;
  }

  /** JOSDK's reconcile timers from the operator's registry, whatever their names are. */
  private Map<String, Object> reconcileTimers() {
    Map<String, Object> timers = new TreeMap<>();
    operator.app().registry().getMeters().stream()
        .filter(m -> m instanceof Timer && m.getId().getName().contains("reconcil"))
        .map(m -> (Timer) m)
        .forEach(
            t ->
                timers.put(
                    t.getId().getName() + t.getId().getTags(),
                    Map.of(
                        "count", t.count(),
                        "meanMillis", Math.round(t.mean(TimeUnit.MILLISECONDS)),
                        "maxMillis", Math.round(t.max(TimeUnit.MILLISECONDS)))));
    return timers;
  }

  private static long millis(Instant from, Instant to) {
    return from == null || to == null ? -1 : Duration.between(from, to).toMillis();
  }

  private static Map<String, Object> stats(List<Long> values) {
    List<Long> v = values.stream().filter(x -> x >= 0).sorted().toList();
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("n", v.size());
    if (!v.isEmpty()) {
      s.put("min", v.get(0));
      s.put("p50", v.get(v.size() / 2));
      s.put("p90", v.get(Math.min(v.size() - 1, (int) Math.ceil(v.size() * 0.9) - 1)));
      s.put("max", v.get(v.size() - 1));
    }
    return s;
  }
}
