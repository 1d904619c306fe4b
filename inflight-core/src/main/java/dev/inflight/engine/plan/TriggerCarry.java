package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.TableProperties.Trigger;
import dev.inflight.engine.sql.Sql;
import java.util.ArrayList;
import java.util.List;

/**
 * User triggers. Planning creates them on the empty shadow before the changes, so PostgreSQL
 * follows renames and drops a trigger whose column goes; the swap creates the final definitions on
 * the new table in their original enabled state (on the shadow they would fire for the replay's
 * writes). The archived table's triggers are disabled while it is written by the reverse replay
 * only, and get their state back on rollback.
 */
final class TriggerCarry implements CarriedKind {
  private final CarryScope scope;

  TriggerCarry(CarryScope scope) {
    this.scope = scope;
  }

  @Override
  public List<Carryover.Check> beforeChanges() {
    List<Carryover.Check> out = new ArrayList<>();
    for (Trigger t : scope.props.triggers()) {
      out.add(
          new Carryover.Check(
              "trigger " + t.name(),
              Definitions.replaceOnce(
                  t.definition(),
                  " ON " + scope.tablePrinted + " ",
                  " ON " + scope.shadowPrinted + " ")));
      if (!"O".equals(t.enabled())) {
        out.add(
            new Carryover.Check(
                "trigger " + t.name(), enabled(scope.shadowSql, t.name(), t.enabled())));
      }
    }
    return out;
  }

  @Override
  public List<String> warnings() {
    List<String> out = new ArrayList<>();
    for (Trigger t : scope.props.triggers()) {
      if (scope.shadowProps().triggers().stream().noneMatch(x -> x.name().equals(t.name()))) {
        out.add("trigger " + t.name() + " is dropped because a column it uses is dropped");
      }
    }
    return out;
  }

  @Override
  public List<String> swap(Direction direction) {
    List<String> out = new ArrayList<>();
    if (direction == Direction.BACK) {
      for (Trigger t : scope.props.triggers()) {
        if (!"D".equals(t.enabled())) {
          out.add(enabled(scope.tableSql, t.name(), t.enabled()));
        }
      }
      return out;
    }
    for (Trigger t : scope.props.triggers()) {
      if (!"D".equals(t.enabled())) {
        // The archived table is written by the reverse replay only; its triggers stay quiet.
        out.add("ALTER TABLE " + scope.archivedSql + " DISABLE TRIGGER " + Sql.ident(t.name()));
      }
    }
    for (Trigger t : scope.shadowProps().triggers()) {
      out.add(
          Definitions.replaceOnce(
              t.definition(),
              " ON " + scope.shadowPrinted + " ",
              " ON " + scope.tablePrinted + " "));
      out.add(enabled(scope.tableSql, t.name(), originalState(t.name())));
    }
    return out;
  }

  private String originalState(String name) {
    return scope.props.triggers().stream()
        .filter(t -> t.name().equals(name))
        .map(Trigger::enabled)
        .findFirst()
        .orElse("O");
  }

  private static String enabled(String table, String trigger, String state) {
    String t = Sql.ident(trigger);
    return switch (state) {
      case "D" -> "ALTER TABLE " + table + " DISABLE TRIGGER " + t;
      case "R" -> "ALTER TABLE " + table + " ENABLE REPLICA TRIGGER " + t;
      case "A" -> "ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER " + t;
      default -> "ALTER TABLE " + table + " ENABLE TRIGGER " + t;
    };
  }
}
