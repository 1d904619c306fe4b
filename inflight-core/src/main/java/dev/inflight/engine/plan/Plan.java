package dev.inflight.engine.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.List;
import java.util.Map;

/**
 * Every statement a migration runs, computed once at Planning and stored in the ledger, so the
 * statements shown by {@code plan} and approved by hash are the statements executed. Parameterized
 * statements take their values (cursors, limits) as bound parameters.
 *
 * <p>The plan is stored as JSON with a {@code format} number; {@link StoredPlanReader} reads every
 * format an earlier engine wrote. The accessors after the components are the names the phases read
 * the statements by.
 *
 * @param hash {@code sha256:} over everything but the hash and the {@link Report}
 * @param key the primary key, on the original and the new table
 * @param rollbackRetained whether the archived table is kept in sync for a rollback
 */
@JsonPropertyOrder("format")
@JsonDeserialize(using = StoredPlanReader.class)
public record Plan(
    String hash,
    SourceTable source,
    List<KeyColumn> key,
    boolean rollbackRetained,
    Report report,
    ShadowBuild shadow,
    ChangeLog forwardLog,
    ChangeLog reverseLog,
    Backfill backfill,
    Verification verification,
    Swaps swaps,
    Teardown teardown) {

  /**
   * The shape this engine stores. 1: one flat object (no {@code format} field); 2: grouped in the
   * parts above; 3: the key's index built after the copy ({@link ShadowBuild#keyIndex}) and the
   * copy in ranges ({@link Backfill#sample}). A format 2 plan runs as it was planned: its shadow
   * has its key from the start, and its copy is one range.
   */
  public static final int FORMAT = 3;

  @JsonProperty(value = "format", access = JsonProperty.Access.READ_ONLY)
  public int format() {
    return FORMAT;
  }

  /** This plan with its hash, computed from its canonical JSON by {@link PlanHash}. */
  public Plan withComputedHash() {
    return with(PlanHash.of(with(null, null)), report);
  }

  private Plan with(String newHash, Report newReport) {
    return new Plan(
        newHash,
        source,
        key,
        rollbackRetained,
        newReport,
        shadow,
        forwardLog,
        reverseLog,
        backfill,
        verification,
        swaps,
        teardown);
  }

  /**
   * This plan with its swaps planned again ({@link Planner#replanSwaps}); the hash stays the one
   * approved, which covers everything before the swap.
   */
  public Plan withSwaps(Swaps again) {
    return new Plan(
        hash,
        source,
        key,
        rollbackRetained,
        report,
        shadow,
        forwardLog,
        reverseLog,
        backfill,
        verification,
        again,
        teardown);
  }

  /** The statements in execution order, each section preceded by a comment naming its phase. */
  public List<String> display() {
    return PlanListing.of(this);
  }

  /** The names derived for this plan's table. */
  public Names names() {
    return new Names(schema(), table());
  }

  public String schema() {
    return source.schema();
  }

  public String table() {
    return source.table();
  }

  public String fingerprint() {
    return source.fingerprint();
  }

  public List<String> sourceIndexes() {
    return source.indexes();
  }

  public List<String> archivedIndexes() {
    return source.archivedIndexes();
  }

  public Map<String, List<String>> originalSnapshot() {
    return source.snapshot();
  }

  public long estimatedRows() {
    return report.estimatedRows();
  }

  public long tableBytes() {
    return report.tableBytes();
  }

  public List<String> warnings() {
    return report.warnings();
  }

  public List<String> createShadow() {
    return shadow.statements();
  }

  /** The key's index, built after the copy; null for a plan whose shadow has it from the start. */
  public IndexBuild keyIndex() {
    return shadow.keyIndex();
  }

  public List<IndexBuild> indexes() {
    return shadow.indexes();
  }

  public String analyze() {
    return shadow.analyze();
  }

  public List<String> syncExtras() {
    return shadow.syncExtras();
  }

  public Map<String, List<String>> expectedSnapshot() {
    return shadow.expectedSnapshot();
  }

  public List<String> createCapture() {
    return forwardLog.capture();
  }

  public String replayBatch() {
    return forwardLog.replayBatch();
  }

  /** The whole forward log in one statement; null for a plan stored before it existed. */
  public String replayAll() {
    return forwardLog.replayAll();
  }

  public String logBacklog() {
    return forwardLog.backlog();
  }

  public List<String> reverseCapture() {
    return reverseLog.capture();
  }

  public String reverseReplayBatch() {
    return reverseLog.replayBatch();
  }

  /** The whole reverse log in one statement; null for a plan stored before it existed. */
  public String reverseReplayAll() {
    return reverseLog.replayAll();
  }

  public String reverseLogBacklog() {
    return reverseLog.backlog();
  }

  public String maxKey() {
    return backfill.maxKey();
  }

  public String backfillBatch() {
    return backfill.batch();
  }

  /** Before the key's build: the logged keys' rows out of the shadow; null for older plans. */
  public String clearLogged() {
    return backfill.clearLogged();
  }

  /** The copy's range boundaries from a sample; null for a plan stored before ranges existed. */
  public String sampleKeys() {
    return backfill.sample();
  }

  public String verifyNextChunk() {
    return verification.nextChunk();
  }

  public String verifySourceDigest() {
    return verification.sourceDigest();
  }

  public String verifyShadowDigest() {
    return verification.shadowDigest();
  }

  public List<String> locksFirst() {
    return swaps.locksFirst();
  }

  public List<String> otherTables() {
    return swaps.otherTables();
  }

  public String cutoverLock() {
    return swaps.cutover().lock();
  }

  public List<String> cutover() {
    return swaps.cutover().statements();
  }

  public List<String> validateAfterSwap() {
    return swaps.cutover().validateAfter();
  }

  public String rollbackLock() {
    return swaps.rollback().lock();
  }

  public List<String> rollbackSwap() {
    return swaps.rollback().statements();
  }

  public List<String> validateAfterRollback() {
    return swaps.rollback().validateAfter();
  }

  /** The swap that goes in {@code direction}. */
  public Swap swap(Direction direction) {
    return direction == Direction.FORWARD ? swaps.cutover() : swaps.rollback();
  }

  /** The replay into the table the swap in {@code direction} brings live. */
  public String replayBatch(Direction direction) {
    return direction == Direction.FORWARD ? replayBatch() : reverseReplayBatch();
  }

  /** The whole log in one statement, in {@code direction}; null for a plan stored before it. */
  public String replayAll(Direction direction) {
    return direction == Direction.FORWARD ? replayAll() : reverseReplayAll();
  }

  public List<String> cancel() {
    return teardown.cancel();
  }

  public List<String> finalizeStatements() {
    return teardown.finalizeStatements();
  }
}
