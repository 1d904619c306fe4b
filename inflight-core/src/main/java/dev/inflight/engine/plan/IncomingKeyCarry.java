package dev.inflight.engine.plan;

import static dev.inflight.engine.plan.CarryScope.addNotValid;
import static dev.inflight.engine.plan.CarryScope.comment;

import dev.inflight.engine.catalog.TableProperties.ForeignKey;
import dev.inflight.engine.sql.Sql;
import java.util.ArrayList;
import java.util.List;

/**
 * Other tables' foreign keys that reference the table. Planning checks each can reference the new
 * table (on a scratch copy of the referencing columns); the swap drops each and adds it back over
 * whichever table is then live, NOT VALID, and validates it afterwards.
 */
final class IncomingKeyCarry implements CarriedKind {
  private final CarryScope scope;

  IncomingKeyCarry(CarryScope scope) {
    this.scope = scope;
  }

  @Override
  public List<Carryover.Check> validations() {
    List<Carryover.Check> out = new ArrayList<>();
    int n = 0;
    for (ForeignKey fk : scope.props.incomingForeignKeys()) {
      String scratch = Sql.qualified(Names.LEDGER_SCHEMA, "fkcheck_" + (n++));
      String what = "foreign key " + fk.name() + " of " + fk.table();
      out.add(
          new Carryover.Check(
              what,
              "CREATE TABLE "
                  + scratch
                  + " AS SELECT "
                  + Sql.idents(fk.columns())
                  + " FROM "
                  + fk.table()
                  + " WITH NO DATA"));
      out.add(
          new Carryover.Check(
              what,
              "ALTER TABLE "
                  + scratch
                  + " ADD FOREIGN KEY ("
                  + Sql.idents(fk.columns())
                  + ") REFERENCES "
                  + scope.shadowSql
                  + " ("
                  + String.join(", ", scope.mapped(fk.referencedColumns(), fk))
                  + ") NOT VALID"));
    }
    return out;
  }

  @Override
  public List<String> swap(Direction direction) {
    List<String> out = new ArrayList<>();
    for (ForeignKey fk : scope.props.incomingForeignKeys()) {
      out.add("ALTER TABLE " + fk.table() + " DROP CONSTRAINT " + Sql.ident(fk.name()));
      String def =
          direction == Direction.BACK
              ? fk.definition()
              : Definitions.withReferencedColumns(
                  Definitions.withoutNotValid(fk.definition()),
                  scope.tablePrinted,
                  scope.mapped(fk.referencedColumns(), fk));
      out.add(addNotValid(fk.table(), fk.name(), def));
      comment(out, fk.name(), fk.table(), fk.comment());
    }
    return out;
  }

  @Override
  public List<String> validateAfter(Direction direction) {
    List<String> out = new ArrayList<>();
    for (ForeignKey fk : scope.props.incomingForeignKeys()) {
      if (fk.validated()) {
        out.add("ALTER TABLE " + fk.table() + " VALIDATE CONSTRAINT " + Sql.ident(fk.name()));
      }
    }
    return out;
  }

  @Override
  public List<String> shareLocks() {
    return children();
  }

  @Override
  public List<String> otherTables() {
    return children();
  }

  private List<String> children() {
    List<String> out = new ArrayList<>();
    for (ForeignKey fk : scope.props.incomingForeignKeys()) {
      if (!out.contains(fk.table())) {
        out.add(fk.table());
      }
    }
    return out;
  }
}
