package dev.inflight.engine.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * A plan's statements in execution order, each section preceded by a comment naming its phase: what
 * {@code plan} prints and {@code status.plan.statements} holds.
 */
final class PlanListing {
  private final List<String> out = new ArrayList<>();

  private PlanListing() {}

  static List<String> of(Plan plan) {
    PlanListing listing = new PlanListing();
    listing.creatingShadow(plan);
    listing.copyAndSync(plan);
    listing.cutover(plan);
    listing.rollback(plan);
    listing.section("Cancelled: before cut-over", plan.cancel());
    listing.section("Finalized: after cut-over", plan.finalizeStatements());
    return listing.out;
  }

  private void creatingShadow(Plan plan) {
    section(
        plan.keyIndex() == null
            ? "CreatingShadow: the new table, without secondary indexes"
            : "CreatingShadow: the new table, without indexes",
        plan.createShadow());
    section("CreatingShadow: change capture on the original table", plan.createCapture());
  }

  private void copyAndSync(Plan plan) {
    if (plan.sampleKeys() != null) {
      section(
          "Backfilling: the key ranges' boundaries, from a sample of the table's blocks",
          List.of(plan.sampleKeys()));
    }
    section(
        plan.sampleKeys() == null
            ? "Backfilling: one batch (repeated in primary-key order)"
            : "Backfilling: one batch of one key range (repeated in key order, ranges in parallel)",
        List.of(plan.backfillBatch()));
    if (plan.keyIndex() != null) {
      List<String> key = new ArrayList<>();
      if (plan.clearLogged() != null) {
        key.add(plan.clearLogged());
      }
      key.addAll(plan.keyIndex().statements());
      section("Syncing: the primary key, once every range is copied", key);
    }
    section(
        plan.keyIndex() == null
            ? "Backfilling/Syncing: replay of changed keys (repeated)"
            : "Syncing: replay of changed keys (repeated)",
        List.of(plan.replayBatch()));
    List<String> indexes = new ArrayList<>();
    plan.indexes().forEach(index -> indexes.addAll(index.statements()));
    indexes.add(plan.analyze());
    section("Syncing: secondary indexes and statistics", indexes);
    section(
        "Syncing: verification per key range (original, then new)",
        List.of(plan.verifySourceDigest(), plan.verifyShadowDigest()));
    if (!plan.syncExtras().isEmpty()) {
      section("Syncing: materialized views over the new table", plan.syncExtras());
    }
  }

  /** What both swaps do between taking their locks and their first statement (SwapGuards). */
  static final String UNDER_THE_LOCK =
      "-- check the capture was intact throughout and nothing depending on the table changed;"
          + " replay the change log to the end (at most 2,000 keys, or the attempt is given up);"
          + " compare the table's fingerprint";

  private void cutover(Plan plan) {
    // In the order SwapLocks takes them: the table (after the shadow), then the linked tables.
    List<String> swap = new ArrayList<>();
    swap.add(plan.cutoverLock());
    swap.addAll(plan.locksFirst());
    swap.add(UNDER_THE_LOCK);
    swap.addAll(plan.cutover());
    swap.addAll(plan.reverseCapture());
    section("CuttingOver: one transaction", swap);
    if (!plan.validateAfterSwap().isEmpty()) {
      section(
          "Completed and RolledBack: foreign keys validated again, without blocking writes",
          plan.validateAfterSwap());
    }
  }

  private void rollback(Plan plan) {
    if (!plan.rollbackRetained()) {
      return;
    }
    section(
        "Completed: reverse replay into the archived table (repeated)",
        List.of(plan.reverseReplayBatch()));
    List<String> back = new ArrayList<>();
    back.add(plan.rollbackLock());
    back.addAll(plan.locksFirst());
    back.add(UNDER_THE_LOCK);
    back.addAll(plan.rollbackSwap());
    section("RollingBack: one transaction", back);
  }

  private void section(String title, List<String> statements) {
    out.add("-- " + title);
    out.addAll(statements);
  }
}
