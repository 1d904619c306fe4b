package dev.inflight.lab.bench;

import dev.inflight.api.SpecReader;
import java.util.List;

/**
 * The benchmark's standard scenario: {@code public.accounts} with a primary key and three secondary
 * indexes, and one change that alters a column's type ({@code balance} integer to bigint), adds a
 * column ({@code note}) and an index ({@code accounts_created}). Every method reaches the same
 * final shape from the same table, except pg_repack, which can only rebuild the table as it is.
 */
final class Scenario {
  private Scenario() {}

  static final String TABLE = "accounts";

  static List<String> createTable() {
    return List.of(
        "CREATE TABLE accounts (id bigserial PRIMARY KEY, account text NOT NULL, email text NOT NULL,"
            + " status text NOT NULL DEFAULT 'active', balance integer NOT NULL DEFAULT 0,"
            + " flag integer NOT NULL DEFAULT 0, created_at timestamptz NOT NULL DEFAULT now(),"
            + " updated_at timestamptz NOT NULL DEFAULT now(), payload text)");
  }

  /** About 200 bytes a row, like a typical OLTP table. */
  static String load(long rows) {
    return "INSERT INTO accounts (account, email, status, balance, flag, created_at, updated_at, payload)"
        + " SELECT 'acct-' || (g % 50000), 'user' || g || '@example.com',"
        + " CASE WHEN g % 5 = 0 THEN 'closed' ELSE 'active' END, ((g::bigint * 7919) % 100000)::int, g % 2,"
        + " timestamptz '2024-01-01' + g * interval '1 second',"
        + " timestamptz '2024-06-01' + (g % 86400) * interval '1 minute', repeat(md5(g::text), 2)"
        + " FROM generate_series(1, "
        + rows
        + ") g";
  }

  static List<String> secondaryIndexes() {
    return List.of(
        "CREATE UNIQUE INDEX accounts_email_key ON accounts (email)",
        "CREATE INDEX accounts_account ON accounts (account)",
        "CREATE INDEX accounts_status_updated ON accounts (status, updated_at)");
  }

  /**
   * Inflight's {@code backfill} settings for one run: Inflight's defaults but for these. {@code
   * parallelism} null leaves the default ({@code 2}); {@code maxActiveSessions} 0 is off.
   */
  record Backfill(long maxRowsPerSecond, Integer parallelism, int maxActiveSessions) {
    static Backfill defaults(long maxRowsPerSecond) {
      return new Backfill(maxRowsPerSecond, null, 0);
    }

    Backfill withParallelism(int workers) {
      return new Backfill(maxRowsPerSecond, workers, maxActiveSessions);
    }

    String yaml() {
      return "{batchSize: 10000, targetBatchTime: 500ms, maxRowsPerSecond: "
          + maxRowsPerSecond
          + (parallelism == null ? "" : ", parallelism: " + parallelism)
          + (maxActiveSessions == 0 ? "" : ", maxActiveSessions: " + maxActiveSessions)
          + ", maxReplicaLag: 10s}";
    }
  }

  /** The {@code backfill.parallelism} Inflight uses when the spec does not set it. */
  static int defaultParallelism() {
    return new SpecReader()
        .parse(migration("defaults", Backfill.defaults(0)), "the benchmark's scenario")
        .spec()
        .backfill()
        .parallelism();
  }

  /**
   * The migration Inflight runs; {@code backfill} and {@code cutover} are Inflight's defaults, but
   * for what {@code backfill} sets.
   */
  static String migration(String name, Backfill backfill) {
    return document(
        backfill,
        name,
        """
        - alterColumnType: {column: balance, type: bigint}
        - addColumn: {name: note, type: "varchar(40)", default: "''", notNull: true}
        - createIndex: {name: accounts_created, columns: [created_at]}
        """);
  }

  /**
   * A rebuild that leaves the shape as it is (the default set to the value it has): the same work
   * as pg_repack, for a like-for-like comparison.
   */
  static String rebuildOnly(String name, Backfill backfill) {
    return document(backfill, name, "- setDefault: {column: status, default: \"'active'\"}\n");
  }

  private static String document(Backfill backfill, String name, String changes) {
    return "apiVersion: inflight.dev/v1alpha1\nkind: SchemaMigration\nmetadata: {name: "
        + name
        + "}\nspec:\n  table: public.accounts\n  changes:\n"
        + changes.indent(4)
        + "  backfill: "
        + backfill.yaml()
        + "\n"
        + "  cutover: {mode: Automatic, lockTimeout: 2s, maxAttempts: 30}\n"
        + "  rollback: {retainFor: 24h}\n";
  }

  /** The fastest copy PostgreSQL can make: one INSERT ... SELECT, then every index built. */
  static List<String> physicalCopy() {
    return List.of(
        "CREATE TABLE accounts_copy (id bigint NOT NULL, account text NOT NULL, email text NOT NULL,"
            + " status text NOT NULL DEFAULT 'active', balance bigint NOT NULL DEFAULT 0,"
            + " flag integer NOT NULL DEFAULT 0, created_at timestamptz NOT NULL DEFAULT now(),"
            + " updated_at timestamptz NOT NULL DEFAULT now(), payload text,"
            + " note varchar(40) NOT NULL DEFAULT '')",
        "INSERT INTO accounts_copy SELECT id, account, email, status, balance, flag, created_at,"
            + " updated_at, payload, '' FROM accounts",
        "ALTER TABLE accounts_copy ADD PRIMARY KEY (id)",
        "CREATE UNIQUE INDEX accounts_copy_email_key ON accounts_copy (email)",
        "CREATE INDEX accounts_copy_account ON accounts_copy (account)",
        "CREATE INDEX accounts_copy_status_updated ON accounts_copy (status, updated_at)",
        "CREATE INDEX accounts_copy_created ON accounts_copy (created_at)");
  }

  /** What a user would otherwise run: a rewrite under an exclusive lock, in one transaction. */
  static List<String> alterTable() {
    return List.of(
        "ALTER TABLE accounts ALTER COLUMN balance TYPE bigint,"
            + " ADD COLUMN note varchar(40) NOT NULL DEFAULT ''",
        "CREATE INDEX accounts_created ON accounts (created_at)");
  }
}
