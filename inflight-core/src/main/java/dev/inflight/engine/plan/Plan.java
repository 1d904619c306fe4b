package dev.inflight.engine.plan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Every statement a migration runs, computed once at Planning and stored in the ledger, so the
 * statements shown by {@code plan} and approved by hash are the statements executed. Parameterized
 * statements take their values (cursors, limits) as bound parameters.
 *
 * @param hash {@code sha256:} over the fingerprint and every statement
 * @param fingerprint digest of the original table's shape, compared again under the cut-over lock
 * @param key the primary key, on the original and the new table
 * @param archivedIndexes the names the original table's indexes take while archived, in the order
 *     of {@code sourceIndexes}
 * @param syncExtras built on the shadow once it is verified (materialized views over it)
 * @param validateAfterSwap run after the cut-over commits, outside it: foreign keys validated
 * @param validateAfterRollback the same after the rollback swap
 * @param otherTables tables the swaps also lock (tables whose foreign keys are re-pointed)
 * @param originalSnapshot the table as planned ({@link dev.inflight.engine.catalog.TableSnapshot});
 *     after a rollback the live table must equal it
 * @param expectedSnapshot what the live table must equal after the cut-over
 * @param locksFirst the locks both swaps take before the table's, in deadlock-free order
 */
public record Plan(
    String hash,
    String schema,
    String table,
    String fingerprint,
    List<KeyColumn> key,
    List<String> warnings,
    boolean rollbackRetained,
    long estimatedRows,
    long tableBytes,
    List<String> sourceIndexes,
    List<String> archivedIndexes,
    List<String> createShadow,
    List<String> createCapture,
    String maxKey,
    String backfillBatch,
    String replayBatch,
    String logBacklog,
    List<IndexBuild> indexes,
    String analyze,
    String verifyNextChunk,
    String verifySourceDigest,
    String verifyShadowDigest,
    String cutoverLock,
    List<String> cutover,
    List<String> reverseCapture,
    String reverseReplayBatch,
    String reverseLogBacklog,
    String rollbackLock,
    List<String> rollbackSwap,
    List<String> cancel,
    List<String> finalizeStatements,
    List<String> syncExtras,
    List<String> validateAfterSwap,
    List<String> otherTables,
    Map<String, List<String>> originalSnapshot,
    Map<String, List<String>> expectedSnapshot,
    List<String> locksFirst,
    List<String> validateAfterRollback) {

  public Plan {
    validateAfterRollback = validateAfterRollback == null ? List.of() : validateAfterRollback;
    locksFirst = locksFirst == null ? List.of() : locksFirst;
    syncExtras = syncExtras == null ? List.of() : syncExtras;
    validateAfterSwap = validateAfterSwap == null ? List.of() : validateAfterSwap;
    otherTables = otherTables == null ? List.of() : otherTables;
  }

  /** The statements in execution order, each preceded by a comment naming its phase. */
  public List<String> display() {
    List<String> out = new ArrayList<>();
    section(out, "CreatingShadow: the new table, without secondary indexes", createShadow);
    section(out, "CreatingShadow: change capture on the original table", createCapture);
    section(out, "Backfilling: one batch (repeated in primary-key order)", List.of(backfillBatch));
    section(out, "Backfilling/Syncing: replay of changed keys (repeated)", List.of(replayBatch));
    List<String> ix = new ArrayList<>();
    indexes.forEach(i -> ix.addAll(i.statements()));
    ix.add(analyze);
    section(out, "Syncing: secondary indexes and statistics", ix);
    section(
        out,
        "Syncing: verification per key range (original, then new)",
        List.of(verifySourceDigest, verifyShadowDigest));
    if (!syncExtras.isEmpty()) {
      section(out, "Syncing: materialized views over the new table", syncExtras);
    }
    List<String> swap = new ArrayList<>(locksFirst);
    swap.add(cutoverLock);
    swap.add("-- replay until the change log is empty, compare the table's fingerprint");
    swap.addAll(cutover);
    swap.addAll(reverseCapture);
    section(out, "CuttingOver: one transaction", swap);
    if (!validateAfterSwap.isEmpty()) {
      section(
          out,
          "Completed and RolledBack: foreign keys validated again, without blocking writes",
          validateAfterSwap);
    }
    if (rollbackRetained) {
      section(
          out,
          "Completed: reverse replay into the archived table (repeated)",
          List.of(reverseReplayBatch));
      List<String> back = new ArrayList<>(locksFirst);
      back.add(rollbackLock);
      back.addAll(rollbackSwap);
      section(out, "RollingBack: one transaction", back);
    }
    section(out, "Cancelled: before cut-over", cancel);
    section(out, "Finalized: after cut-over", finalizeStatements);
    return out;
  }

  private static void section(List<String> out, String title, List<String> statements) {
    out.add("-- " + title);
    out.addAll(statements);
  }

  /** The hash of a plan's content (everything but the hash and the warnings). */
  public static String hashOf(Plan p) {
    StringBuilder sb = new StringBuilder();
    sb.append(p.schema)
        .append('\n')
        .append(p.table)
        .append('\n')
        .append(p.fingerprint)
        .append('\n');
    sb.append(p.rollbackRetained).append('\n');
    for (String s : p.display()) {
      sb.append(s).append("\n;\n");
    }
    sb.append(String.join(",", p.sourceIndexes))
        .append('\n')
        .append(String.join(",", p.archivedIndexes));
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(sb.toString().getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** This plan with its hash computed. */
  public Plan withComputedHash() {
    return new Plan(
        hashOf(this),
        schema,
        table,
        fingerprint,
        key,
        warnings,
        rollbackRetained,
        estimatedRows,
        tableBytes,
        sourceIndexes,
        archivedIndexes,
        createShadow,
        createCapture,
        maxKey,
        backfillBatch,
        replayBatch,
        logBacklog,
        indexes,
        analyze,
        verifyNextChunk,
        verifySourceDigest,
        verifyShadowDigest,
        cutoverLock,
        cutover,
        reverseCapture,
        reverseReplayBatch,
        reverseLogBacklog,
        rollbackLock,
        rollbackSwap,
        cancel,
        finalizeStatements,
        syncExtras,
        validateAfterSwap,
        otherTables,
        originalSnapshot,
        expectedSnapshot,
        locksFirst,
        validateAfterRollback);
  }

  /** The names derived for this plan's table. */
  public Names names() {
    return new Names(schema, table);
  }
}
