package dev.inflight.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.workload.StatementLog.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Windows over the application's statements: what overlapped cut-over, what started before. */
class StatementLogTest {
  @Test
  void aStatementBlockedAcrossAWindowCountsAsOverlappingIt() {
    StatementLog log = new StatementLog();
    log.record(0, 10, Kind.UPDATE, true); // before the window
    log.record(50, 100, Kind.INSERT, true); // started before, ended inside: waited on the lock
    log.record(120, 5, Kind.READ, true); // inside
    log.record(300, 5, Kind.DELETE, false); // after

    assertThat(log.overlapping(100, 200, StatementLog.any()))
        .extracting(StatementLog.Entry::startNanos)
        .containsExactly(50L, 120L);
    assertThat(log.overlapping(100, 200, StatementLog.writes()))
        .extracting(StatementLog.Entry::kind)
        .containsExactly(Kind.INSERT);
    assertThat(log.started(0, 100, StatementLog.any())).hasSize(2);
    assertThat(log.count(StatementLog.succeededWrites())).isEqualTo(2);
    assertThat(log.select(StatementLog.succeeded(Kind.DELETE))).isEmpty();
  }

  @Test
  void quantilesAreNearestRankAndFailuresAreCounted() {
    StatementLog log = new StatementLog();
    for (int i = 1; i <= 100; i++) {
      log.record(i, i * 1_000_000L, Kind.UPDATE, i != 7);
    }
    StatementLog.Latency l = StatementLog.latency(log.all());
    assertThat(l.count()).isEqualTo(100);
    assertThat(l.failed()).isEqualTo(1);
    assertThat(l.p50()).isEqualTo(50.0);
    assertThat(l.p99()).isEqualTo(99.0);
    assertThat(l.max()).isEqualTo(100.0);
    assertThat(StatementLog.latency(List.of()).count()).isZero();
  }
}
