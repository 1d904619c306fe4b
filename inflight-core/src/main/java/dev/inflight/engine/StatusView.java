package dev.inflight.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.MigrationStatus;
import dev.inflight.engine.ledger.MigrationRecord;
import dev.inflight.engine.phase.PhaseStep;
import dev.inflight.engine.phase.PhaseSteps;
import dev.inflight.engine.phase.Throttles;
import dev.inflight.engine.plan.Plan;
import dev.inflight.engine.sql.Tx;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Builds the resource's status from the ledger: the mirror people and GitOps tools read. */
final class StatusView {
  private final ObjectMapper json;
  private final PhaseSteps steps;

  StatusView(ObjectMapper json, PhaseSteps steps) {
    this.json = json;
    this.steps = steps;
  }

  MigrationStatus build(Connection conn, MigrationRecord m, MigrationSpec current, Instant now)
      throws SQLException {
    Plan plan;
    try {
      plan = json.readValue(m.planJson(), Plan.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    long backlog = backlog(conn, m, plan);
    long estimated = Math.max(m.rowsEstimated(), m.rowsCopied());
    int percent =
        m.backfillDone() || !m.phase().beforeCutover()
            ? 100
            : estimated == 0 ? 0 : (int) Math.min(99, m.rowsCopied() * 100 / estimated);
    long copyMillis = m.phaseMillis().getOrDefault(MigrationPhase.Backfilling.name(), 0L);
    if (m.phase() == MigrationPhase.Backfilling) {
      copyMillis += Duration.between(m.phaseStartedAt(), now).toMillis();
    }
    long rate = copyMillis <= 0 ? 0 : m.rowsCopied() * 1000 / copyMillis;
    Long eta =
        m.phase() == MigrationPhase.Backfilling && rate > 0
            ? Math.max(0, (estimated - m.rowsCopied()) / rate)
            : null;
    boolean rollbackAvailable =
        m.phase() == MigrationPhase.Completed
            && plan.rollbackRetained()
            && m.rollbackError() == null
            && (m.rollbackUntil() == null || now.isBefore(m.rollbackUntil()));
    return new MigrationStatus(
        null,
        m.phase().name(),
        Conditions.message(m, current, plan),
        new MigrationStatus.PlanStatus(plan.hash(), plan.display(), plan.warnings()),
        new MigrationStatus.Progress(
            m.rowsCopied(),
            estimated,
            percent,
            rate,
            eta,
            backlog,
            m.phase() == MigrationPhase.Backfilling
                ? Throttles.blind(conn, current.backfill())
                : List.of()),
        new MigrationStatus.CutoverStatus(
            m.cutoverAttempts(),
            m.cutoverLastError(),
            m.cutoverBlockedBy() == null ? List.of() : m.cutoverBlockedBy(),
            m.writesBlockedMillis(),
            m.writesBlockedTotalMillis(),
            m.cutoverAt() == null ? null : m.cutoverAt().toString()),
        new MigrationStatus.RollbackStatus(
            rollbackAvailable,
            m.phase() == MigrationPhase.Completed || m.phase() == MigrationPhase.RollingBack
                ? plan.schema() + "." + plan.names().archived()
                : null,
            m.rollbackUntil() == null ? null : m.rollbackUntil().toString(),
            m.rollbackBlockedMillis(),
            m.rollbackBlockedTotalMillis()),
        m.failure() != null
            ? m.failure()
            : m.lastError() != null ? m.lastError() : m.rollbackError(),
        m.catalogCheck(),
        Conditions.of(m, current, plan, rollbackAvailable, now));
  }

  private long backlog(Connection conn, MigrationRecord m, Plan plan) throws SQLException {
    if (m.phase().terminal()) {
      return 0;
    }
    PhaseStep step = steps.of(m.phase()).orElse(null);
    if (step == null) {
      return 0;
    }
    try {
      String sql =
          m.phase().beforeCutover()
              ? plan.logBacklog()
              : plan.rollbackRetained() ? plan.reverseLogBacklog() : null;
      if (sql == null || m.phase().ordinal() < MigrationPhase.Backfilling.ordinal()) {
        return 0;
      }
      return Tx.queryLong(conn, sql);
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        return 0;
      }
      throw e;
    }
  }
}
