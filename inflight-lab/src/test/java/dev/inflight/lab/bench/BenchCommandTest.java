package dev.inflight.lab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.engine.Json;
import dev.inflight.lab.Lab;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code inflight bench} end to end on a small table: every method runs (pg_repack is skipped with
 * its reason on the embedded server, which has no such extension), and the results, the report and
 * the charts are written. What the numbers are is the benchmark's business, not this test's.
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

    String md = Files.readString(out.resolve("results.md"));
    assertThat(md)
        .contains(
            "## 3,000 rows", "skipped:", "timeline-3000.png", "Inflight total / physical copy");
    for (String png : new String[] {"timeline-3000.png", "scaling-time.png", "scaling-wait.png"}) {
      byte[] head = Files.readAllBytes(out.resolve(png));
      assertThat(head).as(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }
  }
}
