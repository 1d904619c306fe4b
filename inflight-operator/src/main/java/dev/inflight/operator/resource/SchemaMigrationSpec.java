package dev.inflight.operator.resource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.api.MigrationSpec.CutoverControl;
import dev.inflight.api.MigrationSpec.CutoverMode;
import dev.inflight.api.MigrationSpec.DeletionPolicy;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * The schema of {@code spec} as the API server checks it: the fields of {@link MigrationSpec}, with
 * the CRD's validation, defaults, immutability rules and descriptions. The engine never sees this
 * type; {@link ResourceSpecs} maps it to {@link MigrationSpec}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.table == oldSelf.table", message = "spec.table is immutable")
@ValidationRule(value = "self.changes == oldSelf.changes", message = "spec.changes is immutable")
@ValidationRule(
    value =
        "has(self.database) == has(oldSelf.database) && (!has(self.database) || self.database == oldSelf.database)",
    message = "spec.database is immutable")
public record SchemaMigrationSpec(
    @JsonPropertyDescription(
            "Where the credentials are (Kubernetes only): a Secret as a PostgreSQL operator"
                + " writes it, and what the spec sets instead.")
        DatabaseRef database,
    @Required @Size(min = 1, max = 200) @JsonPropertyDescription("schema.table, or table.")
        String table,
    @Required
        @Size(min = 1, max = 100)
        @JsonPropertyDescription("Applied to the new table in order.")
        List<ChangeSchema> changes,
    @JsonPropertyDescription("Pacing of the copy and the verification.") BackfillSpec backfill,
    @JsonPropertyDescription("How and when the new table replaces the original.")
        CutoverSpec cutover,
    @JsonPropertyDescription("How long a lossless rollback stays possible after cut-over.")
        RollbackSpec rollback,
    @JsonPropertyDescription("Whether a person must approve the plan before any DDL runs.")
        ApprovalSpec approval,
    @JsonPropertyDescription(
            "What people change while the migration runs: the approved plan, the cut-over gate,"
                + " the action.")
        ControlSpec control,
    @Default("Retain") @JsonPropertyDescription("What deleting the resource does to the database.")
        DeletionPolicy deletionPolicy) {
  static final String DURATION = "^(0|([0-9]+(ms|s|m|h|d))+)$";

  /** {@link dev.inflight.api.Sizes}: bytes, or a number with B, kB, MB, GB, TB (or KiB...). */
  static final String SIZE = "^([0-9]+ *(([kKmMgGtT][iI]?)?[bB])?)?$";

  static final String SECRET_KEY = "^[-._a-zA-Z0-9]+$";
  static final String HOST = "^(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?)$";

  /** {@link MigrationSpec.DatabaseRef}, as the API server checks it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DatabaseRef(
      @Required
          @JsonPropertyDescription(
              "The Secret with the credentials, in the resource's namespace: one a PostgreSQL"
                  + " operator wrote (CloudNativePG <cluster>-app or <cluster>-superuser, Crunchy"
                  + " PGO <cluster>-pguser-<user>, Zalando"
                  + " <user>.<cluster>.credentials.postgresql.acid.zalan.do), one with the keys"
                  + " url, username and password, or any other with keys.")
          SecretRef secretRef,
      @Size(max = 253)
          @Pattern(HOST)
          @JsonPropertyDescription(
              "The primary's host name, as the operator's pod resolves it; wins over the"
                  + " Secret's. Needed for a Zalando Secret, which has none: the cluster's Service,"
                  + " <cluster>.<namespace>.svc. Never a transaction pooler (PgBouncer) nor a"
                  + " standby: Inflight needs a session on the primary.")
          String host,
      @Min(1)
          @Max(65535)
          @JsonPropertyDescription("The port; wins over the Secret's; default 5432.")
          Integer port,
      @Size(min = 1, max = 63)
          @JsonPropertyDescription(
              "The database; wins over the Secret's. Needed when the Secret has none (Zalando;"
                  + " CloudNativePG's superuser Secret; Crunchy PGO when the user lists no"
                  + " databases).")
          String dbname,
      @Pattern("^(disable|allow|prefer|require|verify-ca|verify-full)$")
          @JsonPropertyDescription(
              "TLS, as libpq and the JDBC driver name it: disable, allow, prefer (the driver's"
                  + " default), require, verify-ca, verify-full.")
          String sslmode) {}

  /** {@link MigrationSpec.SecretRef}, as the API server checks it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SecretRef(
      @Required @Size(min = 1, max = 253) @JsonPropertyDescription("The Secret's name.")
          String name,
      @JsonPropertyDescription(
              "Which key holds what, for a Secret that no PostgreSQL operator wrote. Without it"
                  + " the keys are found by name: url, jdbc-uri, fqdn-jdbc-uri or uri; host; port;"
                  + " dbname; username or user; password. With it, only the keys it names are"
                  + " read.")
          SecretKeys keys) {}

  /** {@link MigrationSpec.SecretKeys}, as the API server checks it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "!(has(self.jdbcUrl) && has(self.uri))",
      message = "keys.jdbcUrl and keys.uri both name a URL; name one")
  @ValidationRule(
      value =
          "[has(self.jdbcUrl) ? self.jdbcUrl : '', has(self.uri) ? self.uri : '',"
              + " has(self.host) ? self.host : '', has(self.port) ? self.port : '']"
              + ".all(k, !k.startsWith('pgbouncer-'))",
      message =
          "a pgbouncer-* key is Crunchy PGO's PgBouncer, which pools transactions; Inflight needs a"
              + " session on the primary: name jdbc-uri, or host and port (the application may"
              + " keep using PgBouncer)")
  public record SecretKeys(
      @Size(min = 1, max = 253)
          @Pattern(SECRET_KEY)
          @JsonPropertyDescription(
              "The key of a JDBC URL (jdbc:postgresql://host:port/db?user=..&password=..).")
          String jdbcUrl,
      @Size(min = 1, max = 253)
          @Pattern(SECRET_KEY)
          @JsonPropertyDescription(
              "The key of a libpq URI (postgresql://user:password@host:port/db).")
          String uri,
      @Size(min = 1, max = 253)
          @Pattern(SECRET_KEY)
          @JsonPropertyDescription("The key of the host name; wins over the URL's.")
          String host,
      @Size(min = 1, max = 253)
          @Pattern(SECRET_KEY)
          @JsonPropertyDescription("The key of the port; wins over the URL's.")
          String port,
      @Size(min = 1, max = 253)
          @Pattern(SECRET_KEY)
          @JsonPropertyDescription("The key of the database name; wins over the URL's.")
          String dbname,
      @Size(min = 1, max = 253)
          @Pattern(SECRET_KEY)
          @JsonPropertyDescription("The key of the user name; wins over the URL's.")
          String username,
      @Size(min = 1, max = 253)
          @Pattern(SECRET_KEY)
          @JsonPropertyDescription("The key of the password; wins over the URL's.")
          String password) {}

  /** {@link MigrationSpec.BackfillSpec}, as the API server checks it. */
  public record BackfillSpec(
      @Min(1)
          @Max(1_000_000)
          @Default("10000")
          @JsonPropertyDescription(
              "Rows in the first copy batch; later batches grow or shrink towards targetBatchTime.")
          Integer batchSize,
      @Min(1)
          @Max(64)
          @Default("2")
          @JsonPropertyDescription(
              "Workers, each on its own database session, that copy key ranges, build indexes and"
                  + " verify at once; the throttles apply to their sum. More than the database"
                  + " server's cores only adds contention.")
          Integer parallelism,
      @Pattern(DURATION)
          @Default("500ms")
          @JsonPropertyDescription("How long one copy batch should take, e.g. 500ms.")
          String targetBatchTime,
      @Min(0)
          @Default("0")
          @JsonPropertyDescription(
              "Ceiling on rows read per second by the copy and the verification; 0: unthrottled."
                  + " When set, the new table's indexes are also built without parallel workers.")
          Long maxRowsPerSecond,
      @Pattern(DURATION)
          @Default("10s")
          @JsonPropertyDescription(
              "The copy waits while a standby is further behind than this in time: the largest"
                  + " of its write, flush and replay lag, or how long it has not replied while WAL"
                  + " it has not replayed exists. 0: no standby check at all.")
          String maxReplicaLag,
      @Pattern(SIZE)
          @Default("1GB")
          @JsonPropertyDescription(
              "The copy also waits while a standby has more WAL than this not replayed (the"
                  + " current WAL position minus its replay_lsn), which keeps growing when its lag"
                  + " times go stale or NULL, e.g. 512MB, 1GB. The worse of the two limits"
                  + " counts; 0: times only.")
          String maxReplicaLagBytes,
      @Pattern(SIZE)
          @Default("1GB")
          @JsonPropertyDescription(
              "The copy waits while any replication slot (a CDC consumer such as Debezium, a"
                  + " logical subscriber, a standby's slot) keeps more WAL than this on the"
                  + " primary, or is about to lose WAL it needs (wal_status unreserved), e.g."
                  + " 1GB. 0: off.")
          String maxSlotRetainedWal,
      @Min(0)
          @Max(100_000)
          @Default("0")
          @JsonPropertyDescription(
              "The copy waits while more than this many application sessions of the database"
                  + " are running a statement (pg_stat_activity state active, waiting ones"
                  + " included), as gh-ost's max-load watches Threads_running. 0: off.")
          Integer maxActiveSessions) {}

  /** {@link MigrationSpec.CutoverSpec}, as the API server checks it. */
  public record CutoverSpec(
      @Default("Automatic")
          @JsonPropertyDescription(
              "Automatic: swap as soon as the new table is in sync and verified. Manual: only"
                  + " when control.cutover is Proceed.")
          CutoverMode mode,
      @Pattern(DURATION)
          @Default("2s")
          @JsonPropertyDescription(
              "The longest wait for each lock the migration takes, and so the longest an"
                  + " application write waits per swap attempt. A swap attempt waits for the"
                  + " table's lock 100ms at first, twice as long in each later attempt, up to"
                  + " this ceiling.")
          String lockTimeout,
      @Min(1)
          @Max(10_000)
          @Default("30")
          @JsonPropertyDescription(
              "Swap attempts, with jittered backoff between them, before the migration fails"
                  + " with the original table untouched; also the attempts of a cancel, finalize"
                  + " or rollback to get its lock before it gives up, changing nothing.")
          Integer maxAttempts) {}

  /** {@link MigrationSpec.RollbackSpec}, as the API server checks it. */
  public record RollbackSpec(
      @Pattern(DURATION)
          @Default("24h")
          @JsonPropertyDescription(
              "How long the archived table is kept in sync after cut-over, e.g. 24h; 0: dropped"
                  + " at cut-over, and a plan whose reverse is impossible is accepted.")
          String retainFor) {}

  /** {@link MigrationSpec.ApprovalSpec}, as the API server checks it. */
  public record ApprovalSpec(
      @Default("false")
          @JsonPropertyDescription(
              "When true, nothing runs until control.approvedPlanHash equals status.plan.hash.")
          boolean required) {}

  /** {@link MigrationSpec.ControlSpec}, as the API server checks it. */
  public record ControlSpec(
      @Pattern("^(sha256:[0-9a-f]{64})?$")
          @Default("\"\"")
          @JsonPropertyDescription(
              "The plan hash (status.plan.hash) a person approved; a plan that changes needs"
                  + " approval again.")
          String approvedPlanHash,
      @Default("Hold")
          @JsonPropertyDescription("With cutover.mode Manual: Hold keeps syncing, Proceed swaps.")
          CutoverControl cutover,
      @Default("Run")
          @JsonPropertyDescription(
              "Run, Pause, Cancel (before cut-over), Rollback (after cut-over) or Finalize (drop"
                  + " the archived table).")
          Action action) {}
}
