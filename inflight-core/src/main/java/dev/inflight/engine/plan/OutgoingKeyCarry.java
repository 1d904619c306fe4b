package dev.inflight.engine.plan;

import static dev.inflight.engine.plan.CarryScope.addNotValid;
import static dev.inflight.engine.plan.CarryScope.comment;

import dev.inflight.engine.catalog.TableProperties.ForeignKey;
import dev.inflight.engine.sql.Sql;
import java.util.ArrayList;
import java.util.List;

/**
 * The table's own foreign keys. Planning adds them to the empty shadow before the changes (against
 * a copy of each parent, so the real parent's writers are not locked), so PostgreSQL follows
 * renames and drops a key whose column goes; their final definitions are read back from the shadow.
 * The swap attaches them NOT VALID (a key checked on the shadow would refuse the application's
 * writes the replay has not caught up with) and validates them afterwards.
 */
final class OutgoingKeyCarry implements CarriedKind {
  private final CarryScope scope;

  OutgoingKeyCarry(CarryScope scope) {
    this.scope = scope;
  }

  @Override
  public List<Carryover.Check> beforeChanges() {
    List<Carryover.Check> out = new ArrayList<>();
    int n = 0;
    for (ForeignKey fk : scope.props.outgoingForeignKeys()) {
      // The key is checked against a copy of its parent (or the shadow itself when the table
      // references itself): adding it to the real parent would lock the parent's writers.
      String target;
      if (fk.referencedTable().equals(scope.tablePrinted)) {
        target = scope.shadowSql;
      } else {
        String scratch = "fkparent_" + (n++);
        target = Sql.qualified(Names.LEDGER_SCHEMA, scratch);
        scope.scratchParents().put(Names.LEDGER_SCHEMA + "." + scratch, fk.referencedTable());
        out.add(
            new Carryover.Check(
                "foreign key " + fk.name(),
                "CREATE TABLE "
                    + target
                    + " (LIKE "
                    + fk.referencedTable()
                    + " INCLUDING INDEXES)"));
      }
      String def =
          Definitions.replaceOnce(
              Definitions.withoutNotValid(fk.definition()),
              "REFERENCES " + fk.referencedTable() + "(",
              "REFERENCES " + target + "(");
      out.add(
          new Carryover.Check(
              "foreign key " + fk.name(), addNotValid(scope.shadowSql, fk.name(), def)));
    }
    return out;
  }

  @Override
  public List<String> warnings() {
    List<String> out = new ArrayList<>();
    for (ForeignKey fk : scope.props.outgoingForeignKeys()) {
      if (scope.shadowProps().outgoingForeignKeys().stream()
          .noneMatch(x -> x.name().equals(fk.name()))) {
        out.add("foreign key " + fk.name() + " is dropped because a column it uses is dropped");
      }
    }
    return out;
  }

  /** Comments of the foreign keys the changes left on the planning shadow. */
  @Override
  public List<String> shadowComments() {
    List<String> out = new ArrayList<>();
    for (ForeignKey fk : scope.shadowProps().outgoingForeignKeys()) {
      comment(out, fk.name(), scope.shadowSql, originalComment(fk.name()));
    }
    return out;
  }

  @Override
  public List<String> swap(Direction direction) {
    List<String> out = new ArrayList<>();
    if (direction == Direction.BACK) {
      for (ForeignKey fk : scope.props.outgoingForeignKeys()) {
        out.add(addNotValid(scope.tableSql, fk.name(), fk.definition()));
        comment(out, fk.name(), scope.tableSql, fk.comment());
      }
      return out;
    }
    for (ForeignKey fk : scope.props.outgoingForeignKeys()) {
      out.add("ALTER TABLE " + scope.archivedSql + " DROP CONSTRAINT " + Sql.ident(fk.name()));
    }
    for (ForeignKey fk : scope.shadowProps().outgoingForeignKeys()) {
      String def = Definitions.withoutNotValid(fk.definition());
      String parent = scope.scratchParents().getOrDefault(fk.referencedTable(), scope.tablePrinted);
      def =
          Definitions.replaceOnce(
              def, "REFERENCES " + fk.referencedTable() + "(", "REFERENCES " + parent + "(");
      out.add(addNotValid(scope.tableSql, fk.name(), def));
      comment(out, fk.name(), scope.tableSql, originalComment(fk.name()));
    }
    return out;
  }

  /** The keys that were valid are validated again; a NOT VALID key stays so. */
  @Override
  public List<String> validateAfter(Direction direction) {
    List<String> out = new ArrayList<>();
    if (direction == Direction.BACK) {
      for (ForeignKey fk : scope.props.outgoingForeignKeys()) {
        if (fk.validated()) {
          out.add(validate(fk));
        }
      }
      return out;
    }
    for (ForeignKey fk : scope.shadowProps().outgoingForeignKeys()) {
      boolean wasNotValid =
          scope.props.outgoingForeignKeys().stream()
              .anyMatch(o -> o.name().equals(fk.name()) && !o.validated());
      if (!wasNotValid) {
        out.add(validate(fk));
      }
    }
    return out;
  }

  @Override
  public List<String> shareLocks() {
    return parents();
  }

  @Override
  public List<String> otherTables() {
    return parents();
  }

  private List<String> parents() {
    List<String> out = new ArrayList<>();
    for (ForeignKey fk : scope.props.outgoingForeignKeys()) {
      if (!fk.referencedTable().equals(scope.tablePrinted) && !out.contains(fk.referencedTable())) {
        out.add(fk.referencedTable());
      }
    }
    return out;
  }

  private String validate(ForeignKey fk) {
    return "ALTER TABLE " + scope.tableSql + " VALIDATE CONSTRAINT " + Sql.ident(fk.name());
  }

  private String originalComment(String constraint) {
    return scope.props.outgoingForeignKeys().stream()
        .filter(f -> f.name().equals(constraint))
        .findFirst()
        .map(ForeignKey::comment)
        .orElse(null);
  }
}
