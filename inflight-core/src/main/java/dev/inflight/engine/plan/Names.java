package dev.inflight.engine.plan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Deterministic names for every object the engine creates, derived from the table alone, so a plan
 * is reproducible (the same hash from {@code inflight plan} on a laptop and from the operator) and
 * a resumed step finds what an earlier one built. At most one migration is active per table, so
 * table-derived names cannot collide.
 */
public record Names(String schema, String table) {
  /** The schema holding the ledger, the change logs and the capture functions. */
  public static final String LEDGER_SCHEMA = "inflight";

  /** The change log's own columns, beside the key's; no key column may be named like them. */
  public static final List<String> LOG_COLUMNS = List.of("inflight_seq", "inflight_truncated");

  static final String NEW = "__ifl_new";
  static final String OLD = "__ifl_old";
  private static final int MAX = 63;

  /** The shadow table, in the table's schema; after a rollback, the name of the new-shape table. */
  public String shadow() {
    return suffixed(table, NEW);
  }

  /** The original table after cut-over. */
  public String archived() {
    return suffixed(table, OLD);
  }

  /** Forward change log (source keys changed before cut-over), in {@link #LEDGER_SCHEMA}. */
  public String log() {
    return suffixed(key(), "__log");
  }

  /** Reverse change log (keys changed after cut-over), in {@link #LEDGER_SCHEMA}. */
  public String reverseLog() {
    return suffixed(key(), "__rlog");
  }

  public String captureFunction() {
    return suffixed(key(), "__capture");
  }

  public String reverseCaptureFunction() {
    return suffixed(key(), "__rcapture");
  }

  /** The name an index of the original table takes while archived. */
  public String archivedIndex(String index) {
    return suffixed(index, OLD);
  }

  /** The name an index of the shadow has until cut-over gives it its final name. */
  public String shadowIndex(String finalName) {
    return suffixed(finalName, NEW);
  }

  /** The name an identity sequence of the original table takes while archived. */
  public String archivedSequence(String sequence) {
    return suffixed(sequence, OLD);
  }

  /** Triggers are per table, so fixed names suffice. */
  public static String captureTrigger(String event) {
    return "inflight_capture_" + event;
  }

  public static String reverseTrigger(String event) {
    return "inflight_reverse_" + event;
  }

  /** True when a name is one the engine derives (tables named like this are refused). */
  public static boolean isDerived(String name) {
    return name.contains(NEW) || name.contains(OLD);
  }

  private String key() {
    return schema + "." + table;
  }

  /**
   * {@code base + suffix} when that fits PostgreSQL's 63-byte limit; otherwise a prefix of base, a
   * short digest of the whole base, and the suffix, so two long names never meet.
   */
  static String suffixed(String base, String suffix) {
    String whole = base + suffix;
    if (bytes(whole) <= MAX) {
      return whole;
    }
    String digest = "_" + sha(base).substring(0, 8);
    int room = MAX - bytes(suffix) - digest.length();
    StringBuilder prefix = new StringBuilder();
    for (int i = 0; i < base.length(); ) {
      int cp = base.codePointAt(i);
      String ch = new String(Character.toChars(cp));
      if (bytes(prefix + ch) > room) {
        break;
      }
      prefix.append(ch);
      i += Character.charCount(cp);
    }
    return prefix + digest + suffix;
  }

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static String sha(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
