package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.TableInfo;
import dev.inflight.engine.catalog.TableProperties;
import dev.inflight.engine.catalog.TableProperties.DependentView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the swap carries besides rows, columns and indexes, one {@link CarriedKind} per kind of
 * object, in the order their statements run: storage settings, rules (refused), the table's own
 * foreign keys, other tables' foreign keys, views and materialized views, user triggers, row-level
 * security, replica identity, publications, extended statistics, the owner, comments and storage
 * settings changed while the shadow was being built, and the privileges and comment granted
 * meanwhile.
 *
 * <p>Objects whose definitions name columns (foreign keys, policies, triggers) are created on the
 * shadow during planning before the changes run, so PostgreSQL itself follows renames and refuses
 * drops that would break them; their final definitions are read back from the shadow. Objects that
 * enforce something against other rows (foreign keys, RLS, triggers) are attached only inside the
 * swap transaction: on the shadow they would make the application's own statements fail against
 * rows the replay has not caught up with yet.
 */
final class Carryover {
  /** A planning statement and what it checks, for refusals. */
  record Check(String what, String sql) {}

  private final CarryScope scope;
  private final ViewCarry views;
  private final List<CarriedKind> kinds;

  /**
   * The same kinds in the order their locks are taken: children's foreign keys before parents', the
   * way the deadlock-free order below needs them.
   */
  private final List<CarriedKind> lockOrder;

  /**
   * @param tablePrinted the table as PostgreSQL prints it in definitions ({@code public.users})
   * @param shadowPrinted the shadow the same way
   */
  Carryover(
      TableProperties props,
      Names names,
      TableInfo table,
      BuiltShadow built,
      String tablePrinted,
      String shadowPrinted) {
    this.scope = new CarryScope(props, names, table.schema(), tablePrinted, shadowPrinted);
    this.views = new ViewCarry(scope);
    CarriedKind outgoing = new OutgoingKeyCarry(scope);
    CarriedKind incoming = new IncomingKeyCarry(scope);
    this.lockOrder = List.of(views, incoming, outgoing);
    this.kinds =
        List.of(
            new StorageCarry(scope, table),
            new RuleCarry(scope),
            outgoing,
            incoming,
            views,
            new TriggerCarry(scope),
            new RowSecurityCarry(scope),
            new ReplicaIdentityCarry(scope),
            new PublicationCarry(scope),
            new StatisticsCarry(scope),
            new SettingsCarry(scope, table, built),
            new PrivilegeCarry(scope, table, built == null ? null : built.info()));
  }

  /** Reasons the table cannot be swapped (yet); empty when it can. */
  List<String> refusals() {
    return all(CarriedKind::refusals);
  }

  /** Settings of the shadow; before the changes, real and dry run. */
  List<String> shadowSettings() {
    return all(CarriedKind::shadowSettings);
  }

  /** Planning only, before the changes: the column-naming objects, on the empty shadow. */
  List<Check> beforeChanges() {
    return all(CarriedKind::beforeChanges);
  }

  /** Statements the shadow needs after the changes. */
  List<String> shadowComments() {
    return all(CarriedKind::shadowComments);
  }

  /** The name of each check view built by {@link #validations}, with the view it stands for. */
  Map<String, DependentView> checkViews() {
    return views.checkViews();
  }

  /** Scratch parents of the planning checks, by printed name, with the parent they copy. */
  Map<String, String> scratchParents() {
    return scope.scratchParents();
  }

  /**
   * Takes the definitions the changes left on the shadow, the final name of each column and of each
   * index (by its shadow name).
   */
  void afterChanges(
      TableProperties shadow,
      Map<String, String> finalColumn,
      Map<String, String> finalIndex,
      Map<String, String> moreScratchParents) {
    scope.afterChanges(shadow, finalColumn, finalIndex, moreScratchParents);
  }

  /**
   * Planning checks after the changes: incoming foreign keys can reference the new table, views and
   * materialized views still compile against it, publication column lists survive.
   */
  List<Check> validations() {
    return all(CarriedKind::validations);
  }

  /** Syncing: what is built over the shadow before the swap. */
  List<String> syncing() {
    return all(CarriedKind::syncing);
  }

  /** Inside a swap transaction, after the table and index renames. */
  List<String> swap(Direction direction) {
    return all(k -> k.swap(direction));
  }

  /**
   * After either swap, outside its transaction: foreign keys that were valid are validated again (a
   * scan that does not block writers). The names are the same after cut-over and rollback.
   */
  List<String> validateAfter(Direction direction) {
    return all(k -> k.validateAfter(direction));
  }

  /**
   * Drops the materialized views built over the shadow ({@code NEW}) or left on the archived table
   * ({@code OLD}).
   */
  List<String> dropMaterializedViews(String suffix) {
    return views.dropMaterialized(suffix);
  }

  /** Other tables the swaps lock: dependent views, referencing children and referenced parents. */
  List<String> otherTables() {
    return distinct(inLockOrder(CarriedKind::otherTables));
  }

  /**
   * The locks a swap takes before the table's own, in the order an application takes them, so that
   * an application statement either waits holding nothing or finishes first, and never deadlocks
   * with the swap: a query on a view locks the view before the table (so the most dependent views
   * come first), a write to a referencing table locks it before its foreign-key check reads the
   * table, and a referenced table gets the SHARE ROW EXCLUSIVE lock that adding a foreign key
   * needs, which lets the application's key checks through.
   */
  List<String> locksFirst() {
    List<String> out = new ArrayList<>();
    List<String> exclusive = distinct(inLockOrder(CarriedKind::exclusiveLocks));
    if (!exclusive.isEmpty()) {
      out.add("LOCK TABLE " + String.join(", ", exclusive) + " IN ACCESS EXCLUSIVE MODE");
    }
    List<String> shared = distinct(inLockOrder(CarriedKind::shareLocks));
    if (!shared.isEmpty()) {
      out.add("LOCK TABLE " + String.join(", ", shared) + " IN SHARE ROW EXCLUSIVE MODE");
    }
    return out;
  }

  /** What the plan warns about; after {@link #afterChanges}. */
  List<String> warnings() {
    return all(CarriedKind::warnings);
  }

  private <T> List<T> all(Function<CarriedKind, List<T>> part) {
    return each(kinds, part);
  }

  private List<String> inLockOrder(Function<CarriedKind, List<String>> part) {
    List<String> out = each(lockOrder, part);
    for (CarriedKind kind : kinds) {
      if (!lockOrder.contains(kind)) {
        out.addAll(part.apply(kind));
      }
    }
    return out;
  }

  private static <T> List<T> each(List<CarriedKind> which, Function<CarriedKind, List<T>> part) {
    List<T> out = new ArrayList<>();
    for (CarriedKind kind : which) {
      out.addAll(part.apply(kind));
    }
    return out;
  }

  private static List<String> distinct(List<String> names) {
    return names.stream().distinct().toList();
  }
}
