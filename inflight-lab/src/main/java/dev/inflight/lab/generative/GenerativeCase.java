package dev.inflight.lab.generative;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One generated case: the table's shape, the change, what the application and others do, where the
 * driving process is killed, and the seed of every other random choice (the initial rows, the
 * writers' choices). Its {@link #encode() text} replays it exactly ({@code inflight-lab chaos
 * --generative --case TEXT}), shrunk cases included.
 */
public record GenerativeCase(
    TableShape shape, ChangeKind change, Set<Activity> activities, Kill kill, long seed) {
  public GenerativeCase {
    Set<Activity> all = EnumSet.of(Activity.INSERT);
    all.addAll(activities);
    activities = all;
    if (!shape.unique()) {
      activities.remove(Activity.UNIQUE_SWAP);
    }
  }

  /**
   * A random case; without {@code pendingFixes}, the dimensions added with their engine fixes
   * (collation-sensitive keys, unique swaps, others' objects) are left out.
   */
  public static GenerativeCase random(Random r, boolean pendingFixes) {
    List<KeyKind> keys = new ArrayList<>(List.of(KeyKind.values()));
    if (!pendingFixes) {
      keys.removeIf(KeyKind::collationSensitive);
    }
    TableShape shape =
        new TableShape(
            keys.get(r.nextInt(keys.size())), r.nextBoolean(), r.nextBoolean(), r.nextBoolean());
    ChangeKind change = ChangeKind.values()[r.nextInt(ChangeKind.values().length)];
    Set<Activity> activities = EnumSet.noneOf(Activity.class);
    for (Activity a : Activity.values()) {
      if ((pendingFixes || !a.pendingFix()) && r.nextInt(3) > 0) {
        activities.add(a);
      }
    }
    Kill kill = r.nextInt(3) == 0 ? Kill.NONE : Kill.random(r);
    return new GenerativeCase(shape, change, activities, kill, r.nextLong() & Long.MAX_VALUE);
  }

  /** True when the case draws a dimension added with its engine fix. */
  public boolean needsPendingFixes() {
    return shape.key().collationSensitive() || activities.stream().anyMatch(Activity::pendingFix);
  }

  /**
   * {@code key=citext;unique=true;toast=false;dropped=true;change=add-column;
   * activities=insert,update;kill=apply/Backfilling/300;seed=42}.
   */
  public String encode() {
    return "key="
        + shape.key().cliName()
        + ";unique="
        + shape.unique()
        + ";toast="
        + shape.toast()
        + ";dropped="
        + shape.droppedColumn()
        + ";change="
        + change.cliName()
        + ";activities="
        + activities.stream().map(Activity::cliName).collect(Collectors.joining(","))
        + ";kill="
        + kill.encode()
        + ";seed="
        + seed;
  }

  /** The case {@link #encode()} wrote; a clear error for anything else. */
  public static GenerativeCase parse(String text) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String part : text.trim().split(";")) {
      int eq = part.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("a case is FIELD=VALUE;..., not " + part);
      }
      fields.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
    }
    Set<String> want =
        new TreeSet<>(
            List.of("key", "unique", "toast", "dropped", "change", "activities", "kill", "seed"));
    if (!fields.keySet().equals(want)) {
      throw new IllegalArgumentException("a case has exactly the fields " + want + ": " + text);
    }
    Set<Activity> activities = EnumSet.noneOf(Activity.class);
    for (String a : fields.get("activities").split(",")) {
      if (!a.isBlank()) {
        activities.add(Activity.parse(a));
      }
    }
    return new GenerativeCase(
        new TableShape(
            KeyKind.parse(fields.get("key")),
            bool(fields.get("unique")),
            bool(fields.get("toast")),
            bool(fields.get("dropped"))),
        ChangeKind.parse(fields.get("change")),
        activities,
        Kill.parse(fields.get("kill")),
        Long.parseLong(fields.get("seed")));
  }

  private static boolean bool(String s) {
    if (!s.equals("true") && !s.equals("false")) {
      throw new IllegalArgumentException("expected true or false, not " + s);
    }
    return Boolean.parseBoolean(s);
  }

  /**
   * Smaller cases, simplest first, for the command's shrinking: no kill, then one activity fewer,
   * then a plainer shape, then the plainest key and change.
   */
  public List<GenerativeCase> smaller() {
    List<GenerativeCase> out = new ArrayList<>();
    if (kill != Kill.NONE) {
      out.add(new GenerativeCase(shape, change, activities, Kill.NONE, seed));
    }
    for (Activity a : activities) {
      if (a != Activity.INSERT) {
        Set<Activity> fewer = EnumSet.copyOf(activities);
        fewer.remove(a);
        out.add(new GenerativeCase(shape, change, fewer, kill, seed));
      }
    }
    if (shape.toast()) {
      out.add(withShape(new TableShape(shape.key(), shape.unique(), false, shape.droppedColumn())));
    }
    if (shape.droppedColumn()) {
      out.add(withShape(new TableShape(shape.key(), shape.unique(), shape.toast(), false)));
    }
    if (shape.unique() && !activities.contains(Activity.UNIQUE_SWAP)) {
      out.add(withShape(new TableShape(shape.key(), false, shape.toast(), shape.droppedColumn())));
    }
    if (shape.key() != KeyKind.BIGINT) {
      out.add(
          withShape(
              new TableShape(
                  KeyKind.BIGINT, shape.unique(), shape.toast(), shape.droppedColumn())));
    }
    if (change != ChangeKind.ADD_COLUMN) {
      out.add(new GenerativeCase(shape, ChangeKind.ADD_COLUMN, activities, kill, seed));
    }
    return out;
  }

  private GenerativeCase withShape(TableShape s) {
    return new GenerativeCase(s, change, activities, kill, seed);
  }

  @Override
  public String toString() {
    return encode();
  }
}
