package dev.inflight.lab.generative;

import dev.inflight.engine.MigrationPhase;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Where a case SIGKILLs the process driving the migration: in which of its three commands, once the
 * ledger shows which phase, and how long after. {@link #NONE} kills nothing.
 *
 * @param stage the command struck
 * @param phase the phase awaited before striking
 * @param delayMillis how long after the phase is seen
 */
public record Kill(Stage stage, MigrationPhase phase, long delayMillis) {
  /** The three commands of a case. */
  public enum Stage {
    /** No kill. */
    NONE(List.of()),
    /** {@code inflight apply} of the first migration. */
    APPLY(
        List.of(
            MigrationPhase.Planning,
            MigrationPhase.CreatingShadow,
            MigrationPhase.Backfilling,
            MigrationPhase.Syncing,
            MigrationPhase.CuttingOver)),
    /** {@code inflight rollback} of the first migration. */
    ROLLBACK(List.of(MigrationPhase.Completed, MigrationPhase.RollingBack)),
    /** {@code inflight apply} of the second migration, before its finalize. */
    REAPPLY(
        List.of(MigrationPhase.Backfilling, MigrationPhase.Syncing, MigrationPhase.CuttingOver));

    private final List<MigrationPhase> phases;

    Stage(List<MigrationPhase> phases) {
      this.phases = phases;
    }

    /** The phases a kill in this command can aim at. */
    public List<MigrationPhase> phases() {
      return phases;
    }
  }

  public static final Kill NONE = new Kill(Stage.NONE, null, 0);

  /** A kill in a random command, phase and moment. */
  public static Kill random(Random r) {
    Stage stage = Stage.values()[1 + r.nextInt(Stage.values().length - 1)];
    return new Kill(stage, stage.phases().get(r.nextInt(stage.phases().size())), r.nextInt(800));
  }

  public boolean strikes(Stage s) {
    return stage == s;
  }

  /** {@code none}, or {@code apply/Backfilling/300}. */
  public String encode() {
    return stage == Stage.NONE
        ? "none"
        : stage.name().toLowerCase(Locale.ROOT) + "/" + phase + "/" + delayMillis;
  }

  public static Kill parse(String s) {
    if (s.equals("none")) {
      return NONE;
    }
    String[] parts = s.split("/");
    if (parts.length != 3) {
      throw new IllegalArgumentException("a kill is none or STAGE/PHASE/MILLIS, not " + s);
    }
    Stage stage = Stage.valueOf(parts[0].toUpperCase(Locale.ROOT));
    MigrationPhase phase = MigrationPhase.valueOf(parts[1]);
    if (!stage.phases().contains(phase)) {
      throw new IllegalArgumentException(stage + " cannot be struck in " + phase);
    }
    return new Kill(stage, phase, Long.parseLong(parts[2]));
  }
}
