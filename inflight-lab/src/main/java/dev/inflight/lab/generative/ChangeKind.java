package dev.inflight.lab.generative;

import java.util.List;
import java.util.Locale;

/**
 * The change a case applies, one of the engine's change operations, each chosen so that the columns
 * the application writes keep their text through the change and its reverse: what the model holds
 * stays exactly what the table must hold, and what the change itself adds or removes is checked by
 * {@link #afterApply} and {@link #afterRollback} queries that must count zero rows.
 */
public enum ChangeKind {
  /** {@code addColumn memo text DEFAULT 'm'}. */
  ADD_COLUMN(
      "- addColumn: {name: memo, type: text, default: \"'m'\"}",
      List.of("SELECT count(*) FROM subject WHERE memo IS DISTINCT FROM 'm'"),
      List.of()),
  /** {@code alterColumnType qty integer -> bigint}, back by assignment cast. */
  WIDEN_TYPE("- alterColumnType: {column: qty, type: bigint}", List.of(), List.of()),
  /** {@code createIndex subject_qty (qty)}. */
  CREATE_INDEX("- createIndex: {name: subject_qty, columns: [qty]}", List.of(), List.of()),
  /** {@code addCheck qty >= 0}, which every write keeps. */
  ADD_CHECK(
      "- addCheck: {name: subject_qty_positive, expression: \"qty >= 0\"}", List.of(), List.of()),
  /** {@code dropColumn spare}, which the application never writes; the rollback brings it back. */
  DROP_COLUMN(
      "- dropColumn: {name: spare, reverseUsing: \"'s'\"}",
      List.of(),
      List.of("SELECT count(*) FROM subject WHERE spare IS DISTINCT FROM 's'"));

  private final String yaml;
  private final List<String> afterApply;
  private final List<String> afterRollback;

  ChangeKind(String yaml, List<String> afterApply, List<String> afterRollback) {
    this.yaml = yaml;
    this.afterApply = afterApply;
    this.afterRollback = afterRollback;
  }

  /** The change as a YAML list item of {@code spec.changes}. */
  public String yaml() {
    return yaml;
  }

  /** Queries counting the rows that break the change after cut-over. */
  public List<String> afterApply() {
    return afterApply;
  }

  /** Queries counting the rows that break the original shape after rollback. */
  public List<String> afterRollback() {
    return afterRollback;
  }

  public String cliName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static ChangeKind parse(String s) {
    return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
  }
}
