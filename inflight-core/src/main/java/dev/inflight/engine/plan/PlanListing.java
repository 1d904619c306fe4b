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
    section("CreatingShadow: the new table, without secondary indexes", plan.createShadow());
    section("CreatingShadow: change capture on the original table", plan.createCapture());
  }

  private void copyAndSync(Plan plan) {
    section(
        "Backfilling: one batch (repeated in primary-key order)", List.of(plan.backfillBatch()));
    section("Backfilling/Syncing: replay of changed keys (repeated)", List.of(plan.replayBatch()));
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

  private void cutover(Plan plan) {
    List<String> swap = new ArrayList<>(plan.locksFirst());
    swap.add(plan.cutoverLock());
    swap.add("-- replay until the change log is empty, compare the table's fingerprint");
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
    List<String> back = new ArrayList<>(plan.locksFirst());
    back.add(plan.rollbackLock());
    back.addAll(plan.rollbackSwap());
    section("RollingBack: one transaction", back);
  }

  private void section(String title, List<String> statements) {
    out.add("-- " + title);
    out.addAll(statements);
  }
}
