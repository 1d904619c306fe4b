package dev.inflight.lab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inflight.engine.Json;
import dev.inflight.lab.Lab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code inflight bench} end to end on a small table: every method runs (pg_repack is skipped with
 * its reason on the embedded server, which has no such extension), and the results, the report and
 * the charts are written, with the reshape at each parallelism and the guarded run; results from
 * before those runs existed still render. What the numbers are is the benchmark's business, not
 * this test's.
 */
class BenchCommandTest {
  @Test
  void writesResultsReportAndChartsForEveryMethod(@TempDir Path out) throws Exception {
    int code =
        Lab.run(
            "bench",
            "--rows",
            "3000",
            "--embedded",
            "--warmup",
            "1s",
            "--writers",
            "2",
            "--readers",
            "1",
            "--parallelism",
            "1,2",
            "--out",
            out.toString());

    assertThat(code).isZero();
    BenchResult r =
        Json.mapper().readValue(out.resolve("results-3000.json").toFile(), BenchResult.class);
    assertThat(r.methods())
        .extracting(BenchResult.MethodResult::method)
        .containsExactly(
            Bench.INFLIGHT, Bench.INFLIGHT_REBUILD, Bench.PHYSICAL, Bench.PG_REPACK, Bench.ALTER);
    BenchResult.MethodResult inflight = r.method(Bench.INFLIGHT);
    assertThat(inflight.inflight().exitCode()).isZero();
    assertThat(inflight.inflight().rowsCopied()).isGreaterThanOrEqualTo(3000);
    assertThat(inflight.inflight().phaseMillis())
        .containsKeys("Planning", "CreatingShadow", "Backfilling", "Syncing", "CuttingOver");
    assertThat(inflight.inflight().beforeAll().count()).isPositive();
    assertThat(r.method(Bench.PG_REPACK).ran()).isFalse();
    assertThat(r.method(Bench.PG_REPACK).note()).contains("pg_repack");
    assertThat(r.method(Bench.ALTER).ran()).isTrue();
    assertThat(r.ratios())
        .extracting(BenchResult.Ratio::name)
        .contains("Inflight total / physical copy", "Inflight longest write wait / ALTER TABLE's");

    assertThat(r.parallelism())
        .extracting(BenchResult.WorkerRun::parallelism, BenchResult.WorkerRun::source)
        .containsExactly(tuple(1, "inflight-p1"), tuple(2, Bench.INFLIGHT));
    assertThat(r.parallelism())
        .allSatisfy(
            w -> {
              assertThat(w.rowsCopied()).isGreaterThanOrEqualTo(3000);
              assertThat(w.copyRowsPerSecond()).isPositive();
            });
    assertThat(r.guarded().maxActiveSessions()).isEqualTo(2);
    assertThat(r.guarded().run().inflight().exitCode()).isZero();
    assertThat(r.guarded().run().inflight().rowsCopied()).isGreaterThanOrEqualTo(3000);
    assertThat(r.targets())
        .extracting(BenchResult.Target::name)
        .contains(
            "Inflight total / pg_repack",
            "Inflight total / physical copy",
            "Application p99 during the migration",
            "Latency guard: p99 during the copy / before");

    String md = Files.readString(out.resolve("results.md"));
    assertThat(md)
        .contains(
            "## 3,000 rows",
            "skipped:",
            "timeline-3000.png",
            "Inflight total / physical copy",
            "### Scaling with workers",
            "**Extrapolation, not a measurement**",
            "### Latency guard",
            "| inflight-guarded | maxActiveSessions 2 |",
            "held by the load")
        .containsPattern("\\| 1 \\| (\\d+|n/a) \\| inflight-p1 \\|")
        .containsPattern("\\| 2 \\| (\\d+|n/a) \\| inflight \\|");
    for (String png :
        new String[] {
          "timeline-3000.png", "timeline-guarded-3000.png", "scaling-time.png", "scaling-wait.png"
        }) {
      byte[] head = Files.readAllBytes(out.resolve(png));
      assertThat(head).as(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }

    // Results written before the worker and guarded runs existed still render, saying so.
    ObjectNode old = (ObjectNode) Json.mapper().readTree(out.resolve("results-3000.json").toFile());
    old.remove(List.of("parallelism", "guarded"));
    Path older = Files.createDirectories(out.resolve("older"));
    Json.mapper().writeValue(older.resolve("results-3000.json").toFile(), old);
    assertThat(Lab.run("bench", "--report-only", "--out", older.toString())).isZero();
    assertThat(Files.readString(older.resolve("results.md")))
        .contains(
            "## 3,000 rows",
            "### Scaling with workers\n\nNot measured in these results",
            "### Latency guard\n\nNot measured in these results",
            "no guarded run in these results");
  }
}
