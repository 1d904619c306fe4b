package dev.inflight.lab.generative;

/**
 * The two migrations of a case, both applying the case's change: the first is applied and rolled
 * back, the second applied and finalized. Throttled so that the copy of a case's first rows takes
 * about a third of a second, in small batches, so the writers' changes land before, inside and
 * after every batch.
 */
final class Migrations {
  static final String FIRST = "gen-first";
  static final String SECOND = "gen-second";

  private Migrations() {}

  static String yaml(String name, ChangeKind change) {
    return "apiVersion: inflight.dev/v1alpha1\nkind: SchemaMigration\nmetadata: {name: "
        + name
        + "}\nspec:\n  table: public."
        + TableShape.TABLE
        + "\n  changes:\n"
        + change.yaml().indent(4)
        + "  backfill: {batchSize: 100, targetBatchTime: 20ms, maxRowsPerSecond: 3000}\n"
        + "  cutover: {lockTimeout: 1s, maxAttempts: 100}\n"
        + "  rollback: {retainFor: 24h}\n";
  }
}
