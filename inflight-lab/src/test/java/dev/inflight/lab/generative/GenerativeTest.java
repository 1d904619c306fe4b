package dev.inflight.lab.generative;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.engine.MigrationPhase;
import dev.inflight.lab.chaos.ChaosCommand;
import dev.inflight.workload.EmbeddedBinaries;
import dev.inflight.workload.PgCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The short generative run of the suite: a few drawn cases (table shape, change, application
 * writes, SIGKILL of the driving process), each migrated, rolled back, migrated again and finalized
 * under its application, and each checked against the application's own model byte for byte, the
 * reference catalog, no failed statement and the bound on every statement. jqwik prints the seed
 * and the case, and shrinks a failing one. The long run is {@code inflight-lab chaos --generative}.
 *
 * <p>Every dimension is drawn, those that failed before their engine fixes included (unique values
 * moving between rows, keys under non-C collations, objects others create during the migration);
 * {@code -Dinflight.generative.pendingFixes=false} leaves those out.
 */
class GenerativeTest {
  /** Draw the dimensions that needed engine fixes too (on unless set to false). */
  static final boolean PENDING_FIXES =
      !"false".equals(System.getProperty("inflight.generative.pendingFixes"));

  private static Path dir;
  private static PgCluster cluster;
  private static Generative generative;

  @BeforeContainer
  static void startServer() throws Exception {
    dir = Files.createTempDirectory("inflight-generative-test-");
    cluster = PgCluster.create(EmbeddedBinaries.onClassPath().bin(), dir, ChaosCommand.settings());
    generative = new Generative(System.out, cluster, dir);
  }

  @AfterContainer
  static void stopServer() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
    PgCluster.deleteTree(dir);
  }

  @Property(
      tries = 3,
      seed = "20261201",
      edgeCases = EdgeCasesMode.NONE,
      shrinking = ShrinkingMode.BOUNDED)
  void everyWriteIsInTheLiveTableAfterApplyRollbackAndFinalize(@ForAll("cases") GenerativeCase spec)
      throws Exception {
    System.out.println("generative case: " + spec.encode());
    assertThat(generative.run(spec, "inflight-lab chaos --generative"))
        .as("case %s (the problems are printed above)", spec.encode())
        .isTrue();
  }

  @Provide
  Arbitrary<GenerativeCase> cases() {
    List<KeyKind> keys =
        Arrays.stream(KeyKind.values())
            .filter(k -> PENDING_FIXES || !k.collationSensitive())
            .toList();
    Set<Activity> activities = EnumSet.noneOf(Activity.class);
    for (Activity a : Activity.values()) {
      if (PENDING_FIXES || !a.pendingFix()) {
        activities.add(a);
      }
    }
    Arbitrary<Boolean> flag = Arbitraries.of(false, true);
    return Combinators.combine(
            Arbitraries.of(keys),
            flag,
            flag,
            flag,
            Arbitraries.of(ChangeKind.class),
            Arbitraries.subsetOf(activities),
            kills(),
            Arbitraries.longs().between(0, Long.MAX_VALUE))
        .as(
            (key, unique, toast, dropped, change, drawn, kill, seed) ->
                new GenerativeCase(
                    new TableShape(key, unique, toast, dropped), change, drawn, kill, seed));
  }

  private static Arbitrary<Kill> kills() {
    return Arbitraries.of(Kill.Stage.class)
        .flatMap(
            stage ->
                stage == Kill.Stage.NONE
                    ? Arbitraries.just(Kill.NONE)
                    : Combinators.combine(
                            Arbitraries.of(stage.phases()), Arbitraries.longs().between(0, 800))
                        .as((MigrationPhase phase, Long delay) -> new Kill(stage, phase, delay)));
  }
}
