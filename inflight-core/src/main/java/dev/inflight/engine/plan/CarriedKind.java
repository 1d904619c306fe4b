package dev.inflight.engine.plan;

import java.util.List;

/**
 * One kind of object the swap carries besides rows, columns and indexes (foreign keys, views,
 * triggers, policies...). Each kind reads its part of what planning read from the catalog ({@link
 * CarryScope}), says what it needs on the shadow and what planning must check, and gives the
 * statements that carry it to the new table inside the swap and back inside the rollback. What the
 * swap compares under its lock is the catalog's list of dependents ({@code catalog.Dependents}); a
 * change there makes the swap plan again, and the new plan carries it.
 *
 * <p>Every method but {@link #swap} has nothing to do for most kinds, so it defaults to nothing. A
 * new kind of object is one new implementation, listed in {@link Carryover}.
 */
interface CarriedKind {
  /** Reasons the table cannot be swapped (yet); empty when it can. */
  default List<String> refusals() {
    return List.of();
  }

  /** Settings of the shadow made right after it is created, before the changes. */
  default List<String> shadowSettings() {
    return List.of();
  }

  /** Planning only, on the empty shadow before the changes: the objects that name columns. */
  default List<Carryover.Check> beforeChanges() {
    return List.of();
  }

  /** What the plan warns about once the changes ran on the planning shadow. */
  default List<String> warnings() {
    return List.of();
  }

  /** Statements the shadow needs after the changes (comments the changes cannot keep). */
  default List<String> shadowComments() {
    return List.of();
  }

  /** Planning checks after the changes, against the planning shadow. */
  default List<Carryover.Check> validations() {
    return List.of();
  }

  /** Syncing: what is built over the shadow before the swap. */
  default List<String> syncing() {
    return List.of();
  }

  /** Inside the swap transaction, after the table and index renames. */
  List<String> swap(Direction direction);

  /** After the swap commits, outside it: scans that do not block writers (validations). */
  default List<String> validateAfter(Direction direction) {
    return List.of();
  }

  /** Relations the swap locks ACCESS EXCLUSIVE before the table, in the order to take them. */
  default List<String> exclusiveLocks() {
    return List.of();
  }

  /** Tables the swap locks SHARE ROW EXCLUSIVE before the table (foreign keys' other side). */
  default List<String> shareLocks() {
    return List.of();
  }

  /** Tables and views the swaps touch besides the two tables (checked for blockers). */
  default List<String> otherTables() {
    return List.of();
  }
}
