package dev.inflight.engine.plan;

import dev.inflight.engine.PlanRejectedException;
import dev.inflight.engine.catalog.ColumnInfo;
import dev.inflight.engine.catalog.TableInfo;
import dev.inflight.engine.change.ShadowDesign;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Row movement in both directions: original to shadow before the cut-over (copy, replay,
 * verification), new table to archived after it (the reverse replay). Each statement is checked in
 * the planning transaction: the logs are created there, the triggers are not (creating them would
 * lock the table against writes for the rest of planning).
 *
 * @param forward the copy's direction, original to shadow
 * @param reverse the rollback's direction, new table to archived
 */
record RowMovement(
    ReplaySql.Direction forward,
    ReplaySql.Direction reverse,
    Map<String, String> shadowTypes,
    boolean recordHash) {

  static RowMovement plan(
      Connection conn, Original original, DesignedShadow designed, List<KeyColumn> key)
      throws SQLException {
    TableInfo source = original.info();
    TableInfo shadow = designed.table();
    ShadowDesign design = designed.design();
    List<String> shadowColumns = DesignedShadow.insertable(shadow);
    List<String> forwardColumns =
        design.forward().mappedColumns().stream().filter(shadowColumns::contains).toList();
    ReplaySql.Direction forward =
        new ReplaySql.Direction(
            original.table(),
            original.shadow(),
            original.log(),
            key,
            design.forward(),
            forwardColumns,
            updatable(forwardColumns, key, shadow),
            hasIdentityAlways(shadow, forwardColumns));
    List<KeyColumn> reverseKey = key.stream().map(KeyColumn::reversed).toList();
    Projection backward = design.backwardProjection(shadowColumns);
    List<String> sourceColumns = DesignedShadow.insertable(source);
    List<String> backwardColumns =
        backward.mappedColumns().stream().filter(sourceColumns::contains).toList();
    ReplaySql.Direction reverse =
        new ReplaySql.Direction(
            original.table(),
            original.archived(),
            original.reverseLog(),
            reverseKey,
            backward,
            backwardColumns,
            updatable(backwardColumns, reverseKey, source),
            hasIdentityAlways(source, backwardColumns));
    Map<String, String> shadowTypes =
        shadow.columns().stream().collect(Collectors.toMap(ColumnInfo::name, ColumnInfo::type));
    boolean recordHash = CatalogChecks.hashable(conn, designed.oid(), forwardColumns);
    return new RowMovement(forward, reverse, shadowTypes, recordHash);
  }

  ChangeLog forwardLog(Original original) {
    return new ChangeLog(
        List.copyOf(
            ReplaySql.capture(
                captured(original, false),
                original.log(),
                original.captureFunction(),
                forward.key(),
                Names::captureTrigger)),
        ReplaySql.replayBatch(forward, true),
        ReplaySql.replayAll(forward, true),
        ReplaySql.backlog(original.log()));
  }

  /** Without a retained archive there is nothing to capture after the cut-over. */
  ChangeLog reverseLog(Original original, boolean retained) {
    if (!retained) {
      return new ChangeLog(List.of(), "", "", "");
    }
    return new ChangeLog(
        List.copyOf(
            ReplaySql.capture(
                captured(original, true),
                original.reverseLog(),
                original.reverseCaptureFunction(),
                reverse.key(),
                Names::reverseTrigger)),
        ReplaySql.replayBatch(reverse, false),
        ReplaySql.replayAll(reverse, false),
        ReplaySql.backlog(original.reverseLog()));
  }

  /**
   * The relations a capture is installed on: the table, then its partitions, each with the target
   * partition its TRUNCATE empties. The reverse capture is on the new table, whose partitions have
   * the original names after the cut-over, and empties the archived partitions.
   */
  private static List<ReplaySql.Captured> captured(Original original, boolean reverse) {
    List<ReplaySql.Captured> out = new ArrayList<>();
    out.add(new ReplaySql.Captured(original.table(), null));
    for (PartitionPlan p : original.partitions()) {
      out.add(new ReplaySql.Captured(p.sql(), reverse ? p.archivedSql() : p.shadowSql()));
    }
    return List.copyOf(out);
  }

  Backfill backfill() {
    return new Backfill(
        CopySql.maxKey(forward),
        CopySql.backfillBatch(forward),
        CopySql.sampleKeys(forward),
        CopySql.clearLogged(forward));
  }

  Verification verification() {
    return new Verification(
        VerifySql.nextChunk(forward),
        VerifySql.sourceDigest(forward, shadowTypes, recordHash),
        VerifySql.targetDigest(forward, recordHash));
  }

  /** Creates the logs and explains every statement that moves rows, in this transaction. */
  void check(Original original, ChangeLog forwardLog, ChangeLog reverseLog, DryRun dry)
      throws SQLException {
    // When the swap is planned again, the migration's own log is there, and in use.
    if (!dry.exists(original.log())) {
      dry.run("create the change log", forwardLog.capture().get(0));
    }
    dry.explain("the copy", CopySql.backfillBatch(forward));
    dry.explain("the copy's ranges", CopySql.sampleKeys(forward));
    dry.explain("the copy's logged keys", CopySql.clearLogged(forward));
    dry.explain("the replay", ReplaySql.replayBatch(forward, true));
    dry.explain("the verification", VerifySql.sourceDigest(forward, shadowTypes, recordHash));
    dry.explain("the verification", VerifySql.targetDigest(forward, recordHash));
    if (reverseLog.capture().isEmpty()) {
      return;
    }
    // The reverse statements run against the new table once it carries the original name; here
    // the shadow plays the new table and the original plays the archived one.
    dry.run("create the reverse change log", reverseLog.capture().get(0));
    ReplaySql.Direction probe =
        new ReplaySql.Direction(
            original.shadow(),
            original.table(),
            reverse.log(),
            reverse.key(),
            reverse.projection(),
            reverse.columns(),
            reverse.updatable(),
            reverse.overriding());
    try {
      dry.explain("the rollback copy", ReplaySql.replayBatch(probe, false));
    } catch (PlanRejectedException e) {
      throw new PlanRejectedException(
          e.reasons().get(0)
              + "; rows changed after cut-over could not be copied back for a rollback: give reverseUsing for"
              + " the changed column, or set rollback.retainFor: 0");
    }
  }

  private static List<String> updatable(
      List<String> columns, List<KeyColumn> key, TableInfo target) {
    List<String> keys = key.stream().map(KeyColumn::target).toList();
    return columns.stream()
        .filter(c -> !keys.contains(c))
        .filter(c -> target.column(c).map(x -> !"a".equals(x.identity())).orElse(true))
        .toList();
  }

  private static boolean hasIdentityAlways(TableInfo target, List<String> columns) {
    return columns.stream()
        .anyMatch(c -> target.column(c).map(x -> "a".equals(x.identity())).orElse(false));
  }
}
