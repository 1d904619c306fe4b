package dev.inflight.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.inflight.operator.resource.SchemaMigration;
import dev.inflight.testing.PostgresExtension;
import dev.inflight.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two replicas of the operator, as the Deployment runs them, against one API server: one holds the
 * Lease and works, the other waits; when the leader stops, the other takes the Lease over and
 * finishes the migration, which runs each phase once.
 */
@RealKubernetes
@ExtendWith(PostgresExtension.class)
class LeaderElectionOnRealServerTest {
  private String ns;
  private Operators.Running first;
  private Operators.Running second;

  @BeforeAll
  static void install(Cluster k8s) {
    Deploy.crd(k8s);
    Deploy.manifests(k8s);
  }

  @BeforeEach
  void namespace(Cluster k8s) {
    ns = k8s.namespace("leader");
  }

  @AfterEach
  void stop(Cluster k8s) {
    for (Operators.Running r : new Operators.Running[] {first, second}) {
      if (r != null) {
        r.close();
      }
    }
    Operators.clean(k8s, ns);
    Operators.assertNothingForbidden(k8s);
  }

  private static Lease lease(Cluster k8s) {
    return k8s.admin()
        .leases()
        .inNamespace(Deploy.OPERATOR_NAMESPACE)
        .withName(Operators.LEASE)
        .get();
  }

  private static String holder(Cluster k8s) {
    Lease lease = lease(k8s);
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  private SchemaMigration migration(Cluster k8s) {
    return k8s.admin()
        .resources(SchemaMigration.class)
        .inNamespace(ns)
        .withName("users-throttled")
        .get();
  }

  private String phase(Cluster k8s) {
    SchemaMigration m = migration(k8s);
    return m == null || m.getStatus() == null ? null : m.getStatus().phase();
  }

  @Test
  void standbyTakesOverWhenTheLeaderStopsAndTheMigrationFinishesOnce(Cluster k8s, TestDatabase db)
      throws Exception {
    Apps.users(db, 40_000);
    Operators.secret(k8s, ns, db);
    first = Operators.start(k8s, "inflight-operator-a", true);
    await().atMost(Duration.ofSeconds(30)).until(() -> "inflight-operator-a".equals(holder(k8s)));
    // The leader keeps renewing (every 2 s): a Lease it cannot renew is lost after 10 s, and the
    // deployed operator exits when it loses its Lease.
    Lease acquired = lease(k8s);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                lease(k8s)
                    .getSpec()
                    .getRenewTime()
                    .toInstant()
                    .isAfter(acquired.getSpec().getAcquireTime().toInstant().plusSeconds(3)));
    assertThat(holder(k8s)).isEqualTo("inflight-operator-a");
    second = Operators.start(k8s, "inflight-operator-b", true);

    Kubectl.Result applied =
        k8s.kubectl()
            .run(
                "apply",
                "-n",
                ns,
                "-f",
                "inflight-operator/src/test/resources/k8s/throttled-migration.yaml");
    assertThat(applied.ok()).as(applied.err()).isTrue();
    await().atMost(Duration.ofSeconds(60)).until(() -> "Backfilling".equals(phase(k8s)));
    assertThat(holder(k8s)).isEqualTo("inflight-operator-a");

    first.close();
    first = null;
    long copiedAtStop = migration(k8s).getStatus().progress().rowsCopied();
    await().atMost(Duration.ofSeconds(60)).until(() -> "inflight-operator-b".equals(holder(k8s)));
    await().atMost(Duration.ofSeconds(120)).until(() -> "Completed".equals(phase(k8s)));

    SchemaMigration done = migration(k8s);
    assertThat(copiedAtStop).isLessThan(40_000);
    assertThat(done.getStatus().progress().rowsCopied()).isEqualTo(40_000);
    assertThat(db.count("SELECT count(*) FROM inflight.history")).isEqualTo(1);
    assertThat(db.count("SELECT count(*) FROM users WHERE phone = ''")).isEqualTo(40_000);
    List<String> reasons =
        k8s.admin().events().v1().events().inNamespace(ns).list().getItems().stream()
            .filter(e -> "users-throttled".equals(e.getRegarding().getName()))
            .map(Event::getReason)
            .toList();
    for (String phase : List.of("CreatingShadow", "Backfilling", "CuttingOver", "Completed")) {
      assertThat(reasons).as("Events %s", reasons).containsOnlyOnce(phase);
    }
    List<String> instances =
        k8s.admin().events().v1().events().inNamespace(ns).list().getItems().stream()
            .map(Event::getReportingInstance)
            .distinct()
            .toList();
    assertThat(instances).containsExactlyInAnyOrder("inflight-operator-a", "inflight-operator-b");
  }
}
