package dev.inflight.k8s;

import static org.awaitility.Awaitility.await;

import dev.inflight.api.ConditionType;
import dev.inflight.api.MigrationStatus;
import dev.inflight.operator.resource.SchemaMigration;
import dev.inflight.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** An application namespace of one test, and what the operator writes into it. */
record Apps(Cluster k8s, String ns) {
  static final Duration LONG = Duration.ofSeconds(120);

  /** The demo's table: what examples/users-*.yaml migrate. */
  static void users(TestDatabase db, int rows) {
    db.exec(
        "CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL, email text NOT NULL,"
            + " status text NOT NULL DEFAULT 'active', last_login timestamptz,"
            + " flag integer NOT NULL DEFAULT 0)",
        "INSERT INTO users (name, email, status, last_login, flag) SELECT 'user ' || g,"
            + " 'user' || g || '@example.com', CASE WHEN g % 4 = 0 THEN 'inactive' ELSE 'active'"
            + " END, now() - g * interval '1 minute', (g % 3 = 0)::int"
            + " FROM generate_series(1, "
            + rows
            + ") g");
  }

  static Predicate<MigrationStatus> phase(String phase) {
    return s -> phase.equals(s.phase());
  }

  static Predicate<MigrationStatus> stalled(String reason) {
    return s ->
        s.conditions().stream()
            .anyMatch(
                c ->
                    ConditionType.Stalled.typeOf(c)
                        && c.status().equals("True")
                        && c.reason().equals(reason));
  }

  Resource<SchemaMigration> migration(String name) {
    return k8s.admin().resources(SchemaMigration.class).inNamespace(ns).withName(name);
  }

  /** Applies a file with kubectl, as a person would. */
  Kubectl.Result apply(String file) {
    return k8s.kubectl().run("apply", "-n", ns, "-f", file);
  }

  MigrationStatus awaitStatus(String name, Predicate<MigrationStatus> condition) {
    return await()
        .atMost(LONG)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              SchemaMigration m = migration(name).get();
              return m == null ? null : m.getStatus();
            },
            s -> s != null && condition.test(s));
  }

  List<Event> events(String name) {
    return k8s.admin().events().v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> name.equals(e.getRegarding().getName()))
        .toList();
  }
}
