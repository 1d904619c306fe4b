package dev.inflight.engine.phase;

import dev.inflight.api.Durations;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.Sizes;
import dev.inflight.engine.StepResult;
import dev.inflight.engine.StepResult.Throttle;
import dev.inflight.engine.sync.SessionLoad;
import dev.inflight.engine.sync.SlotRetention;
import dev.inflight.engine.sync.StandbyLag;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The throttles that protect what the application relies on while the copy writes WAL, checked
 * before every batch. Each reads the whole server, so it holds back the sum of everything the
 * migration writes, however many workers write it. In order:
 *
 * <ol>
 *   <li>{@code maxReplicaLag} and {@code maxReplicaLagBytes}: no standby further behind than either
 *       limit (see {@link StandbyLag} for why both). Bytes are a limit of their own rather than
 *       turned into time through a WAL rate: the rate during a copy is mostly the copy's own, so a
 *       converted time would move with the copy's speed, while bytes say what a person can check
 *       and plan for: the WAL a standby must replay to catch up, and the disk the primary keeps for
 *       it.
 *   <li>{@code maxSlotRetainedWal}: no replication slot keeping more WAL than this, and none about
 *       to lose WAL its consumer needs ({@code wal_status} {@code unreserved}), so a migration
 *       never fills the primary's disk because a change-data-capture consumer lags.
 *   <li>{@code maxActiveSessions}: no more application sessions busy in the database than this (see
 *       {@link SessionLoad}).
 * </ol>
 *
 * <p>A throttle that cannot read what it measures (the role lacks {@code pg_monitor}) holds nothing
 * back; {@link #blind} says so, for the status, rather than letting it read as 0.
 */
public final class Throttles {
  /** How soon a throttled copy looks again. */
  static final Duration RECHECK = Duration.ofSeconds(1);

  private static final String GRANT = "grant the migrating role pg_monitor";

  private Throttles() {}

  /** The throttled wait the spec's limits call for now, if any. */
  static Optional<StepResult> check(StepContext ctx) throws SQLException {
    Limits limits = Limits.of(ctx.spec().backfill());
    Connection conn = ctx.conn();
    Optional<Held> held = standby(conn, limits);
    if (held.isEmpty()) {
      held = slot(conn, limits);
    }
    if (held.isEmpty()) {
      held = load(conn, limits);
    }
    return held.map(
        h -> StepResult.Waiting.throttled(ctx.record().phase(), h.throttle(), RECHECK, h.why()));
  }

  /**
   * The enabled throttles that cannot see what they measure, each with why and what to grant; empty
   * when every enabled throttle sees.
   */
  public static List<String> blind(Connection conn, MigrationSpec.BackfillSpec backfill)
      throws SQLException {
    Limits limits = Limits.of(backfill);
    List<String> out = new ArrayList<>();
    if (limits.standbysOn()) {
      long hidden = StandbyLag.read(conn).stream().filter(s -> !s.visible()).count();
      if (hidden > 0) {
        out.add(
            "maxReplicaLag is blind: "
                + hidden
                + " standby(s) stream from this server, but this role cannot read their positions"
                + " or lag times in pg_stat_replication ("
                + GRANT
                + ")");
      }
    }
    if (limits.maxSlotWal() > 0 && SlotRetention.read(conn).isEmpty()) {
      out.add("maxSlotRetainedWal is blind: this role may not read pg_replication_slots");
    }
    if (limits.maxActive() > 0) {
      long hidden = SessionLoad.read(conn).invisible();
      if (hidden > 0) {
        out.add(
            "maxActiveSessions is blind to "
                + hidden
                + " session(s) of other roles, whose state this role cannot read in"
                + " pg_stat_activity ("
                + GRANT
                + ")");
      }
    }
    return out;
  }

  private static Optional<Held> standby(Connection conn, Limits limits) throws SQLException {
    if (!limits.standbysOn()) {
      return Optional.empty();
    }
    List<StandbyLag.Standby> visible =
        StandbyLag.read(conn).stream().filter(StandbyLag.Standby::visible).toList();
    for (StandbyLag.Standby s : visible) {
      if (s.behindBytes() == null) {
        return Optional.of(
            new Held(
                Throttle.ReplicaLag,
                "standby " + s.label() + " has not reported a replay position yet"));
      }
    }
    return visible.stream()
        .max(Comparator.comparingDouble(limits::share))
        .filter(s -> limits.share(s) > 1)
        .map(s -> new Held(Throttle.ReplicaLag, lagging(s, limits)));
  }

  private static String lagging(StandbyLag.Standby s, Limits limits) {
    String bytes = Sizes.format(s.behindBytes()) + " of WAL not replayed";
    String time = Durations.format(Duration.ofMillis(s.effectiveLagMillis()));
    boolean byBytes =
        limits.maxLagBytes() > 0
            && s.behindBytes() / (double) limits.maxLagBytes()
                >= s.effectiveLagMillis() / (double) limits.maxLag().toMillis();
    return "standby "
        + s.label()
        + (byBytes
            ? " has "
                + bytes
                + ", over backfill.maxReplicaLagBytes "
                + Sizes.format(limits.maxLagBytes())
                + " (lag "
                + time
                + ")"
            : " lags "
                + time
                + (s.lagMillis() == null || s.effectiveLagMillis() > s.lagMillis()
                    ? " without replying"
                    : "")
                + ", over backfill.maxReplicaLag "
                + Durations.format(limits.maxLag())
                + " ("
                + bytes
                + ")");
  }

  private static Optional<Held> slot(Connection conn, Limits limits) throws SQLException {
    if (limits.maxSlotWal() <= 0) {
      return Optional.empty();
    }
    for (SlotRetention.Slot s : SlotRetention.read(conn).orElse(List.of())) {
      if ("unreserved".equals(s.walStatus())) {
        return Optional.of(
            new Held(
                Throttle.SlotRetainedWal,
                "replication slot "
                    + s.label()
                    + " is about to lose WAL its consumer needs (wal_status unreserved, beyond"
                    + " max_slot_wal_keep_size); the copy waits for its consumer to catch up"));
      }
      if (s.retainedBytes() != null && s.retainedBytes() > limits.maxSlotWal()) {
        return Optional.of(
            new Held(
                Throttle.SlotRetainedWal,
                "replication slot "
                    + s.label()
                    + " keeps "
                    + Sizes.format(s.retainedBytes())
                    + " of WAL, over backfill.maxSlotRetainedWal "
                    + Sizes.format(limits.maxSlotWal())
                    + " (wal_status "
                    + s.walStatus()
                    + "): its consumer is behind; the copy waits for it to catch up (drop the"
                    + " slot if nothing reads it)"));
      }
    }
    return Optional.empty();
  }

  private static Optional<Held> load(Connection conn, Limits limits) throws SQLException {
    if (limits.maxActive() <= 0) {
      return Optional.empty();
    }
    SessionLoad.Sample s = SessionLoad.read(conn);
    if (s.active() <= limits.maxActive()) {
      return Optional.empty();
    }
    return Optional.of(
        new Held(
            Throttle.ApplicationLoad,
            "application load: "
                + s.active()
                + " sessions active ("
                + s.waiting()
                + " waiting"
                + (s.waits() == null ? "" : ": " + s.waits())
                + "), over backfill.maxActiveSessions "
                + limits.maxActive()));
  }

  /** What holds the copy back, and why in words. */
  private record Held(Throttle throttle, String why) {}

  /** The spec's limits, parsed once per check; 0 is off. */
  private record Limits(Duration maxLag, long maxLagBytes, long maxSlotWal, int maxActive) {
    static Limits of(MigrationSpec.BackfillSpec b) {
      return new Limits(
          Durations.parse("maxReplicaLag", b.maxReplicaLag()),
          Sizes.parse("maxReplicaLagBytes", b.maxReplicaLagBytes()),
          Sizes.parse("maxSlotRetainedWal", b.maxSlotRetainedWal()),
          b.maxActiveSessions() == null ? 0 : b.maxActiveSessions());
    }

    /** {@code maxReplicaLag} is the standby check's switch; the bytes are its second limit. */
    boolean standbysOn() {
      return !maxLag.isZero();
    }

    /** How much of its limits the standby uses: above 1, it lags; the worse measure counts. */
    double share(StandbyLag.Standby s) {
      double time = s.effectiveLagMillis() / (double) maxLag.toMillis();
      double bytes = maxLagBytes > 0 ? s.behindBytes() / (double) maxLagBytes : 0;
      return Math.max(time, bytes);
    }
  }
}
