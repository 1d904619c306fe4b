package dev.inflight.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Structural validation of a migration document: required fields, one operation per change, bounds
 * and formats. What needs the database (does the column exist, does the expression parse) is
 * checked by the engine's planner.
 */
public final class SpecValidator {
  private static final Pattern RESOURCE_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern PLAN_HASH = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final int MAX_CHANGES = 100;
  private static final Pattern FK_ACTIONS =
      Pattern.compile("(?i)NO ACTION|RESTRICT|CASCADE|SET NULL|SET DEFAULT");

  private SpecValidator() {}

  /** Throws {@link SpecException} listing every problem, or returns normally. */
  public static void requireValid(MigrationDocument doc, String source) {
    List<String> errors = validate(doc);
    if (!errors.isEmpty()) {
      throw new SpecException(source + ": " + String.join("; ", errors));
    }
  }

  /** Every structural problem of the document, each naming its field. */
  public static List<String> validate(MigrationDocument doc) {
    List<String> errors = new ArrayList<>();
    if (doc.apiVersion() != null && !MigrationDocument.API_VERSION.equals(doc.apiVersion())) {
      errors.add(
          "apiVersion: expected " + MigrationDocument.API_VERSION + ", got " + doc.apiVersion());
    }
    if (doc.kind() != null && !MigrationDocument.KIND.equals(doc.kind())) {
      errors.add("kind: expected " + MigrationDocument.KIND + ", got " + doc.kind());
    }
    if (doc.metadata() == null || blank(doc.metadata().name())) {
      errors.add("metadata.name: required");
    } else if (doc.metadata().name().length() > 253
        || !RESOURCE_NAME.matcher(doc.metadata().name()).matches()) {
      errors.add(
          "metadata.name: '"
              + doc.metadata().name()
              + "' must be lower-case letters, digits, '-' and '.', at most 253 characters");
    }
    if (doc.spec() == null) {
      errors.add("spec: required");
      return errors;
    }
    validateSpec(doc.spec(), errors);
    return errors;
  }

  /** Every structural problem of a spec (without the document around it). */
  public static List<String> validateSpec(MigrationSpec spec) {
    List<String> errors = new ArrayList<>();
    validateSpec(spec, errors);
    return errors;
  }

  static void validateSpec(MigrationSpec spec, List<String> errors) {
    if (blank(spec.table())) {
      errors.add("spec.table: required (schema.table or table)");
    } else if (spec.table().length() > 200) {
      errors.add("spec.table: longer than 200 characters");
    } else if (spec.table().chars().anyMatch(Character::isISOControl)) {
      // No table name holds one, and PostgreSQL refuses a NUL even as a bound value.
      errors.add("spec.table: contains a control character");
    }
    if (spec.changes().isEmpty()) {
      errors.add("spec.changes: at least one change is required");
    }
    if (spec.changes().size() > MAX_CHANGES) {
      errors.add("spec.changes: at most " + MAX_CHANGES + " changes per migration");
    }
    for (int i = 0; i < spec.changes().size(); i++) {
      Change c = spec.changes().get(i);
      String at = "spec.changes[" + i + "]";
      if (c == null) {
        errors.add(at + ": empty change");
        continue;
      }
      List<Object> ops = c.operations();
      if (ops.size() != 1) {
        errors.add(
            at
                + ": exactly one operation per change (found "
                + (ops.isEmpty()
                    ? "none"
                    : String.join(", ", ops.stream().map(Change::kindOf).toList()))
                + ")");
        continue;
      }
      requiredFields(ops.get(0), at + "." + Change.kindOf(ops.get(0)), errors);
    }
    MigrationSpec.BackfillSpec b = spec.backfill();
    range(errors, "spec.backfill.batchSize", b.batchSize(), 1, 1_000_000);
    range(errors, "spec.backfill.parallelism", b.parallelism(), 1, 64);
    range(errors, "spec.backfill.maxRowsPerSecond", b.maxRowsPerSecond(), 0, 100_000_000);
    duration(
        errors,
        "spec.backfill.targetBatchTime",
        b.targetBatchTime(),
        Duration.ofMillis(10),
        Duration.ofMinutes(1));
    duration(
        errors,
        "spec.backfill.maxReplicaLag",
        b.maxReplicaLag(),
        Duration.ZERO,
        Duration.ofDays(1));
    size(errors, "spec.backfill.maxReplicaLagBytes", b.maxReplicaLagBytes());
    size(errors, "spec.backfill.maxSlotRetainedWal", b.maxSlotRetainedWal());
    range(errors, "spec.backfill.maxActiveSessions", b.maxActiveSessions(), 0, 100_000);
    MigrationSpec.CutoverSpec c = spec.cutover();
    duration(
        errors,
        "spec.cutover.lockTimeout",
        c.lockTimeout(),
        Duration.ofMillis(10),
        Duration.ofMinutes(1));
    range(errors, "spec.cutover.maxAttempts", c.maxAttempts(), 1, 10_000);
    duration(
        errors,
        "spec.rollback.retainFor",
        spec.rollback().retainFor(),
        Duration.ZERO,
        Duration.ofDays(366));
    String hash = spec.control().approvedPlanHash();
    if (!hash.isEmpty() && !PLAN_HASH.matcher(hash).matches()) {
      errors.add(
          "spec.control.approvedPlanHash: must be empty or sha256: followed by 64 hex digits");
    }
  }

  private static void requiredFields(Object op, String at, List<String> errors) {
    if (op instanceof Change.AddColumn a) {
      need(errors, at + ".name", a.name());
      need(errors, at + ".type", a.type());
      if (Boolean.TRUE.equals(a.notNull()) && a.defaultValue() == null) {
        errors.add(at + ": notNull needs a default, because existing rows need a value");
      }
    } else if (op instanceof Change.DropColumn d) {
      need(errors, at + ".name", d.name());
    } else if (op instanceof Change.RenameColumn r) {
      need(errors, at + ".from", r.from());
      need(errors, at + ".to", r.to());
    } else if (op instanceof Change.AlterColumnType t) {
      need(errors, at + ".column", t.column());
      need(errors, at + ".type", t.type());
    } else if (op instanceof Change.SetNotNull s) {
      need(errors, at + ".column", s.column());
    } else if (op instanceof Change.DropNotNull s) {
      need(errors, at + ".column", s.column());
    } else if (op instanceof Change.SetDefault s) {
      need(errors, at + ".column", s.column());
      need(errors, at + ".default", s.defaultValue());
    } else if (op instanceof Change.DropDefault s) {
      need(errors, at + ".column", s.column());
    } else if (op instanceof Change.CreateIndex ix) {
      need(errors, at + ".name", ix.name());
      int keys =
          (ix.columns() == null ? 0 : ix.columns().size())
              + (ix.expressions() == null ? 0 : ix.expressions().size());
      if (keys == 0) {
        errors.add(at + ": columns or expressions must name at least one key");
      }
      if (ix.columns() != null && ix.columns().stream().anyMatch(SpecValidator::blank)) {
        errors.add(at + ".columns: empty column name");
      }
      if (ix.expressions() != null && ix.expressions().stream().anyMatch(SpecValidator::blank)) {
        errors.add(at + ".expressions: empty expression");
      }
    } else if (op instanceof Change.DropIndex d) {
      need(errors, at + ".name", d.name());
    } else if (op instanceof Change.AddCheck k) {
      need(errors, at + ".name", k.name());
      need(errors, at + ".expression", k.expression());
    } else if (op instanceof Change.AddForeignKey f) {
      need(errors, at + ".name", f.name());
      if (f.columns() == null || f.columns().isEmpty()) {
        errors.add(at + ".columns: at least one column");
      }
      if (f.references() == null) {
        errors.add(at + ".references: required");
      } else {
        need(errors, at + ".references.table", f.references().table());
        if (f.references().columns() == null
            || f.columns() == null
            || f.references().columns().size() != f.columns().size()) {
          errors.add(at + ".references.columns: one per column of the key");
        }
      }
      for (String action : new String[] {f.onDelete(), f.onUpdate()}) {
        if (action != null && !FK_ACTIONS.matcher(action).matches()) {
          errors.add(
              at
                  + ": '"
                  + action
                  + "' is not NO ACTION, RESTRICT, CASCADE, SET NULL or SET DEFAULT");
        }
      }
    } else if (op instanceof Change.DropConstraint d) {
      need(errors, at + ".name", d.name());
    } else if (op instanceof Change.AddUnique u) {
      need(errors, at + ".name", u.name());
      if (u.columns() == null
          || u.columns().isEmpty()
          || u.columns().stream().anyMatch(SpecValidator::blank)) {
        errors.add(at + ".columns: at least one column name");
      }
    } else if (op instanceof Change.RenameIndex r) {
      need(errors, at + ".from", r.from());
      need(errors, at + ".to", r.to());
    } else if (op instanceof Change.RawSql q) {
      need(errors, at + ".statement", q.statement());
    } else {
      errors.add(at + ": unsupported operation");
    }
  }

  private static void need(List<String> errors, String field, String value) {
    if (blank(value)) {
      errors.add(field + ": required");
    }
  }

  private static void range(List<String> errors, String field, Number value, long min, long max) {
    if (value != null && (value.longValue() < min || value.longValue() > max)) {
      errors.add(field + ": " + value + " is outside " + min + ".." + max);
    }
  }

  private static void duration(
      List<String> errors, String field, String value, Duration min, Duration max) {
    try {
      Duration d = Durations.parse(field, value);
      if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
        errors.add(
            field
                + ": "
                + value
                + " is outside "
                + Durations.format(min)
                + ".."
                + Durations.format(max));
      }
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
    }
  }

  private static void size(List<String> errors, String field, String value) {
    try {
      Sizes.parse(field, value);
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
