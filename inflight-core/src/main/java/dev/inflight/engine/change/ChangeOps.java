package dev.inflight.engine.change;

import dev.inflight.api.Change;
import java.util.ArrayList;
import java.util.List;

/** Turns the spec's changes into operations, collecting every problem the shape reveals. */
public final class ChangeOps {
  private ChangeOps() {}

  /** The operations in order; {@code errors} receives one message per change that is malformed. */
  public static List<ChangeOp> of(List<Change> changes, List<String> errors) {
    List<ChangeOp> ops = new ArrayList<>();
    for (int i = 0; i < changes.size(); i++) {
      Change c = changes.get(i);
      if (c == null || c.operations().size() != 1) {
        continue; // SpecValidator reports it; there is no single operation to build.
      }
      try {
        ops.add(of(c));
      } catch (IllegalArgumentException e) {
        errors.add("spec.changes[" + i + "] " + e.getMessage());
      }
    }
    return ops;
  }

  static ChangeOp of(Change c) {
    Object op = c.operations().get(0);
    if (op instanceof Change.AddColumn a) {
      return new AddColumnOp(a);
    } else if (op instanceof Change.DropColumn x) {
      return new DropColumnOp(x);
    } else if (op instanceof Change.RenameColumn x) {
      return new RenameColumnOp(x);
    } else if (op instanceof Change.AlterColumnType x) {
      return new AlterColumnTypeOp(x);
    } else if (op instanceof Change.SetNotNull x) {
      return new SetNotNullOp(x);
    } else if (op instanceof Change.DropNotNull x) {
      return new DropNotNullOp(x);
    } else if (op instanceof Change.SetDefault x) {
      return new SetDefaultOp(x);
    } else if (op instanceof Change.DropDefault x) {
      return new DropDefaultOp(x);
    } else if (op instanceof Change.CreateIndex x) {
      return new CreateIndexOp(x);
    } else if (op instanceof Change.DropIndex x) {
      return new DropIndexOp(x);
    } else if (op instanceof Change.AddCheck x) {
      return new AddCheckOp(x);
    } else if (op instanceof Change.AddForeignKey x) {
      return new AddForeignKeyOp(x);
    } else if (op instanceof Change.DropConstraint x) {
      return new DropConstraintOp(x);
    } else if (op instanceof Change.AddUnique x) {
      return new AddUniqueOp(x);
    } else if (op instanceof Change.RenameIndex x) {
      return new RenameIndexOp(x);
    } else if (op instanceof Change.RawSql x) {
      return new SqlOp(x);
    }
    throw new IllegalArgumentException("unsupported operation " + Change.kindOf(op));
  }
}
