package dev.inflight.engine.plan;

import dev.inflight.api.Durations;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.SpecValidator;
import dev.inflight.engine.PlanRejectedException;
import dev.inflight.engine.catalog.CatalogReader;
import dev.inflight.engine.catalog.ColumnInfo;
import dev.inflight.engine.catalog.IndexInfo;
import dev.inflight.engine.catalog.PropertyReader;
import dev.inflight.engine.catalog.TableInfo;
import dev.inflight.engine.catalog.TableProperties;
import dev.inflight.engine.catalog.TableRef;
import dev.inflight.engine.catalog.TableSnapshot;
import dev.inflight.engine.change.ChangeOp;
import dev.inflight.engine.change.ChangeOps;
import dev.inflight.engine.change.ShadowDesign;
import dev.inflight.engine.sql.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns a spec into a {@link Plan}, or refuses it with reasons. Nothing it does survives: after
 * reading the catalog it builds the shadow table, the indexes and the change logs inside a
 * transaction that is always rolled back, so PostgreSQL itself checks every type, expression, cast
 * and name, and {@code EXPLAIN} checks every statement the copy, replay and verification will run,
 * in both directions.
 */
public final class Planner {

  /** Plans the migration; the connection is left in auto-commit mode with nothing changed. */
  public Plan plan(Connection conn, MigrationSpec spec) throws SQLException {
    List<String> errors = new ArrayList<>(SpecValidator.validateSpec(spec));
    List<ChangeOp> ops = ChangeOps.of(spec.changes(), errors);
    if (!errors.isEmpty()) {
      throw new PlanRejectedException(errors);
    }
    boolean retained = !Durations.parse("retainFor", spec.rollback().retainFor()).isZero();
    try {
      return planOnce(conn, spec, ops, retained);
    } catch (CreatedConcurrently again) {
      return planOnce(conn, spec, ops, retained);
    }
  }

  private Plan planOnce(Connection conn, MigrationSpec spec, List<ChangeOp> ops, boolean retained)
      throws SQLException {
    boolean auto = conn.getAutoCommit();
    conn.setAutoCommit(false);
    try (Statement st = conn.createStatement()) {
      st.execute(
          "SET LOCAL lock_timeout = '"
              + Durations.parse("lockTimeout", spec.cutover().lockTimeout()).toMillis()
              + "ms'");
      st.execute("SET LOCAL statement_timeout = '60s'");
      return planInTransaction(conn, spec, ops, retained);
    } finally {
      // A pool may have closed the connection after an error (HikariCP does on SQLSTATE 0A000,
      // which PostgreSQL uses for a subquery in a DEFAULT); closing ended the transaction too.
      if (!conn.isClosed()) {
        conn.rollback();
        conn.setAutoCommit(auto);
      }
    }
  }

  private Plan planInTransaction(
      Connection conn, MigrationSpec spec, List<ChangeOp> ops, boolean retained)
      throws SQLException {
    CatalogReader catalog = new CatalogReader(conn);
    TableRef ref = catalog.resolve(spec.table());
    TableInfo source = catalog.read(ref);
    CatalogChecks.refuseUnsupported(source);
    Names names = new Names(source.schema(), source.name());
    CatalogChecks.requireFree(conn, source.schema(), names.shadow(), "the shadow table");
    CatalogChecks.requireFree(conn, source.schema(), names.archived(), "the archived table");
    String s = ref.sql();
    String h = Sql.qualified(source.schema(), names.shadow());
    TableProperties props = new PropertyReader(conn).read(source.oid());
    String sPrinted = CatalogChecks.printed(conn, source.schema(), source.name());
    String hPrinted = CatalogChecks.printed(conn, source.schema(), names.shadow());
    Carryover carry = new Carryover(props, names, source.schema(), sPrinted, hPrinted);
    Map<String, List<String>> originalSnapshot = TableSnapshot.read(conn, source.oid(), x -> x);
    if (!carry.refusals().isEmpty()) {
      throw new PlanRejectedException(
          carry.refusals().stream()
              .map(r -> source.schema() + "." + source.name() + ": " + r)
              .toList());
    }

    List<String> base = ShadowStatements.baseShadow(source, names, s, h);
    DryRun dry = new DryRun(conn);
    createLedgerSchema(conn, dry);
    for (String sql : base) {
      dry.run("create the shadow table", sql);
    }
    for (String sql : carry.shadowSettings()) {
      dry.run("copy storage settings", sql);
    }
    for (IndexInfo ix : source.indexes()) {
      for (String sql :
          ShadowStatements.inTablespace(
              ShadowStatements.recreate(ix, names.shadowIndex(ix.name()), h), ix.tablespace())) {
        dry.run("copy index " + ix.name(), sql);
      }
    }
    for (Carryover.Check c : carry.beforeChanges()) {
      dry.run("copy " + c.what(), c.sql());
    }
    ShadowDesign design = new ShadowDesign(source, names, retained, conn);
    int executed = 0;
    for (int i = 0; i < ops.size(); i++) {
      ChangeOp op = ops.get(i);
      design.setLater(ops.subList(i + 1, ops.size()));
      String at = "spec.changes[" + i + "] " + op.describe();
      try {
        op.apply(design);
      } catch (IllegalArgumentException e) {
        throw new PlanRejectedException("spec.changes[" + i + "] " + e.getMessage());
      }
      for (; executed < design.ddl().size(); executed++) {
        if (!design.ddl().get(executed).executed()) {
          dry.run(at, design.ddl().get(executed).sql());
        }
      }
    }
    List<String> postLike = new ArrayList<>();
    postLike.add("ALTER TABLE " + h + " OWNER TO " + Sql.ident(source.owner()));
    for (String g : source.grants()) {
      postLike.add(g.replace("{{table}}", h));
    }
    if (source.comment() != null) {
      postLike.add("COMMENT ON TABLE " + h + " IS " + Sql.literal(source.comment()));
    }
    for (String sql : postLike) {
      dry.run("copy ownership and privileges", sql);
    }

    long shadowOid = CatalogChecks.tableOid(conn, h);
    TableInfo shadow = catalog.read(new TableRef(source.schema(), names.shadow(), shadowOid));
    try {
      carry.afterChanges(
          new PropertyReader(conn).read(shadowOid), finalColumns(design), design.scratchParents());
      for (Carryover.Check c : carry.validations()) {
        dry.run(c.what() + " against the new table", c.sql());
      }
    } catch (IllegalArgumentException e) {
      throw new PlanRejectedException(e.getMessage());
    }
    List<String> warnings = new ArrayList<>(design.warnings());
    warnings.addAll(carry.warnings());
    List<KeyColumn> key = keyColumns(source, shadow, design);
    Map<String, IndexInfo> shadowIndexes =
        shadow.indexes().stream().collect(Collectors.toMap(IndexInfo::name, Function.identity()));
    List<String> createShadow = new ArrayList<>(base);
    createShadow.addAll(carry.shadowSettings());
    design.ddl().stream()
        .filter(d -> !d.dryRunOnly())
        .map(ShadowDesign.Ddl::sql)
        .forEach(createShadow::add);
    List<IndexBuild> builds = new ArrayList<>();
    List<String> finalIndexRenames = new ArrayList<>();
    List<String> shadowIndexRenames = new ArrayList<>();
    for (ShadowDesign.Index ix : design.indexes()) {
      IndexInfo built = shadowIndexes.get(ix.shadowName());
      if (built == null) {
        warnings.add("index " + ix.finalName() + " is dropped because a column it uses is dropped");
        continue;
      }
      List<String> stmts =
          new ArrayList<>(
              ShadowStatements.inTablespace(
                  ShadowStatements.recreate(built, ix.shadowName(), h),
                  ix.source() == null ? null : ix.source().tablespace()));
      String comment = ix.source() == null ? null : ix.source().comment();
      String constraintComment =
          ix.source() == null || !ix.source().backsConstraint()
              ? null
              : props.constraintComments().stream()
                  .filter(c -> c.name().equals(ix.source().name()))
                  .map(TableProperties.Named::text)
                  .findFirst()
                  .orElse(null);
      if (constraintComment != null) {
        stmts.add(
            "COMMENT ON CONSTRAINT "
                + Sql.ident(ix.shadowName())
                + " ON "
                + h
                + " IS "
                + Sql.literal(constraintComment));
      }
      if (comment != null) {
        stmts.add(
            "COMMENT ON INDEX "
                + Sql.qualified(source.schema(), ix.shadowName())
                + " IS "
                + Sql.literal(comment));
      }
      // The key index is built with the shadow: the copy's and replay's upserts need it.
      if (built.primary()
          || shadow.keyIndex().map(k -> k.name().equals(built.name())).orElse(false)) {
        createShadow.addAll(stmts);
      } else {
        builds.add(
            new IndexBuild(
                ix.shadowName(),
                ix.finalName(),
                ix.source() == null ? null : ix.source().name(),
                stmts));
      }
      finalIndexRenames.add(
          "ALTER INDEX "
              + Sql.qualified(source.schema(), ix.shadowName())
              + " RENAME TO "
              + Sql.ident(ix.finalName()));
      shadowIndexRenames.add(
          "ALTER INDEX "
              + Sql.qualified(source.schema(), ix.finalName())
              + " RENAME TO "
              + Sql.ident(ix.shadowName()));
    }
    CatalogChecks.requireIndexNamesFree(conn, source, design);
    // The comments the real build adds to indexes and constraints, so the expected shape has them.
    for (IndexBuild b : builds) {
      for (String sql : b.statements()) {
        if (sql.startsWith("COMMENT ON")) {
          dry.run("copy comments", sql);
        }
      }
    }
    for (String sql : createShadow) {
      if (sql.startsWith("COMMENT ON INDEX") || sql.startsWith("COMMENT ON CONSTRAINT")) {
        dry.run("copy comments", sql);
      }
    }
    for (String sql : carry.shadowComments()) {
      dry.run("copy comments", sql);
    }
    Map<String, List<String>> expectedSnapshot =
        expectation(conn, source, sPrinted, hPrinted, design, carry, shadowOid, originalSnapshot);
    createShadow.addAll(postLike);

    // Row movement in both directions.
    List<String> shadowCols = insertable(shadow);
    List<String> forwardCols =
        design.forward().mappedColumns().stream().filter(shadowCols::contains).toList();
    Map<String, String> shadowTypes =
        shadow.columns().stream().collect(Collectors.toMap(ColumnInfo::name, ColumnInfo::type));
    boolean recordHash = CatalogChecks.hashable(conn, shadowOid, forwardCols);
    String log = Sql.qualified(Names.LEDGER_SCHEMA, names.log());
    ReplaySql.Direction fwd =
        new ReplaySql.Direction(
            s,
            h,
            log,
            key,
            design.forward(),
            forwardCols,
            updatable(forwardCols, key, shadow),
            hasIdentityAlways(shadow, forwardCols));
    List<KeyColumn> reverseKey =
        key.stream()
            .map(k -> new KeyColumn(k.target(), k.targetType(), k.source(), k.sourceType()))
            .toList();
    Projection backward = design.backwardProjection(insertable(shadow));
    List<String> sourceCols = insertable(source);
    List<String> backwardCols =
        backward.mappedColumns().stream().filter(sourceCols::contains).toList();
    String rlog = Sql.qualified(Names.LEDGER_SCHEMA, names.reverseLog());
    String a = Sql.qualified(source.schema(), names.archived());
    ReplaySql.Direction rev =
        new ReplaySql.Direction(
            s,
            a,
            rlog,
            reverseKey,
            backward,
            backwardCols,
            updatable(backwardCols, reverseKey, source),
            hasIdentityAlways(source, backwardCols));

    String fn = Sql.qualified(Names.LEDGER_SCHEMA, names.captureFunction());
    String rfn = Sql.qualified(Names.LEDGER_SCHEMA, names.reverseCaptureFunction());
    List<String> capture = ReplaySql.capture(s, log, fn, h, key, Names::captureTrigger);
    List<String> reverseCapture =
        retained
            ? ReplaySql.capture(s, rlog, rfn, a, reverseKey, Names::reverseTrigger)
            : List.of();

    // Validate what will run, in this transaction: the logs exist here, the triggers do not
    // (creating them would lock the table against writes for the rest of planning).
    dry.run("create the change log", capture.get(0));
    dry.explain("the copy", ReplaySql.backfillBatch(fwd));
    dry.explain("the replay", ReplaySql.replayBatch(fwd, true));
    dry.explain("the verification", ReplaySql.sourceDigest(fwd, shadowTypes, recordHash));
    dry.explain("the verification", ReplaySql.targetDigest(fwd, recordHash));
    if (retained) {
      // The reverse statements run against the new table once it carries the original name; here
      // the shadow plays the new table and the original plays the archived one.
      dry.run("create the reverse change log", reverseCapture.get(0));
      ReplaySql.Direction probe =
          new ReplaySql.Direction(
              h, s, rlog, reverseKey, backward, backwardCols, rev.updatable(), rev.overriding());
      try {
        dry.explain("the rollback copy", ReplaySql.replayBatch(probe, false));
      } catch (PlanRejectedException e) {
        throw new PlanRejectedException(
            e.reasons().get(0)
                + "; rows changed after cut-over could not be copied back for a rollback: give reverseUsing for"
                + " the changed column, or set rollback.retainFor: 0");
      }
    }

    List<String> sourceIndexNames = source.indexes().stream().map(IndexInfo::name).toList();
    List<String> archivedIndexNames = sourceIndexNames.stream().map(names::archivedIndex).toList();
    List<String> cutover =
        new ArrayList<>(ReplaySql.dropCapture(s, log, fn, Names::captureTrigger));
    List<String> rollbackSwap =
        new ArrayList<>(ReplaySql.dropCapture(s, rlog, rfn, Names::reverseTrigger));
    cutover.add("ALTER TABLE " + s + " RENAME TO " + Sql.ident(names.archived()));
    rollbackSwap.add("ALTER TABLE " + s + " RENAME TO " + Sql.ident(names.shadow()));
    for (int i = 0; i < sourceIndexNames.size(); i++) {
      cutover.add(
          "ALTER INDEX "
              + Sql.qualified(source.schema(), sourceIndexNames.get(i))
              + " RENAME TO "
              + Sql.ident(archivedIndexNames.get(i)));
    }
    rollbackSwap.addAll(shadowIndexRenames);
    ShadowStatements.sequenceSwap(source, design, names, cutover, rollbackSwap);
    cutover.add("ALTER TABLE " + h + " RENAME TO " + Sql.ident(source.name()));
    rollbackSwap.add("ALTER TABLE " + a + " RENAME TO " + Sql.ident(source.name()));
    cutover.addAll(finalIndexRenames);
    for (int i = 0; i < sourceIndexNames.size(); i++) {
      rollbackSwap.add(
          "ALTER INDEX "
              + Sql.qualified(source.schema(), archivedIndexNames.get(i))
              + " RENAME TO "
              + Sql.ident(sourceIndexNames.get(i)));
    }
    for (TableInfo.OwnedSequence seq : source.ownedSequences()) {
      if (seq.identity()) {
        continue;
      }
      String seqSql = Sql.qualified(seq.schema(), seq.name());
      design.columns().values().stream()
          .filter(c -> seq.column().equals(c.source()))
          .findFirst()
          .ifPresent(
              c ->
                  cutover.add(
                      "ALTER SEQUENCE " + seqSql + " OWNED BY " + s + "." + Sql.ident(c.name())));
      rollbackSwap.add(
          "ALTER SEQUENCE " + seqSql + " OWNED BY " + s + "." + Sql.ident(seq.column()));
    }
    cutover.addAll(carry.cutover());
    rollbackSwap.addAll(carry.rollback());
    rollbackSwap.add("DROP TABLE " + h);

    List<String> cancel = new ArrayList<>(ReplaySql.dropCapture(s, log, fn, Names::captureTrigger));
    cancel.addAll(carry.dropMaterializedViews(Names.NEW));
    cancel.add("DROP TABLE IF EXISTS " + h);
    // Without a retained archive the reverse capture was never installed: dropping its triggers
    // would only take a lock on the live table.
    List<String> finalize =
        new ArrayList<>(
            retained
                ? ReplaySql.dropCapture(s, rlog, rfn, Names::reverseTrigger)
                : ReplaySql.dropCaptureStore(rlog, rfn));
    finalize.addAll(carry.dropMaterializedViews(Names.OLD));
    finalize.add("DROP TABLE IF EXISTS " + a);

    if (!source.columns().stream()
        .map(c -> c.name() + " " + c.type())
        .toList()
        .equals(shadow.columns().stream().map(c -> c.name() + " " + c.type()).toList())) {
      warnings.add(
          "the column list changes: a prepared SELECT * or RETURNING * fails once per connection after the swap"
              + " with \"cached plan must not change result type\"; with pgjdbc set autosave=conservative,"
              + " or name the columns");
    }
    if (!retained) {
      warnings.add("rollback.retainFor is 0: the original table is dropped right after cut-over");
    }
    // PostgreSQL does not report free disk space through SQL; say what the copy needs.
    warnings.add(
        "the copy needs about "
            + humanBytes(source.totalBytes())
            + " of free disk in the table's tablespace (the table and its indexes once more),"
            + (retained ? " kept until the migration is finalized" : " until the cut-over"));

    return new Plan(
            null,
            source.schema(),
            source.name(),
            source.fingerprint(),
            key,
            List.copyOf(warnings),
            retained,
            dry.estimatedRows(Sql.qualified(source.schema(), source.name())),
            source.totalBytes(),
            sourceIndexNames,
            archivedIndexNames,
            List.copyOf(createShadow),
            List.copyOf(capture),
            ReplaySql.maxKey(fwd),
            ReplaySql.backfillBatch(fwd),
            ReplaySql.replayBatch(fwd, true),
            ReplaySql.backlog(log),
            List.copyOf(builds),
            "ANALYZE " + h,
            ReplaySql.nextChunk(fwd),
            ReplaySql.sourceDigest(fwd, shadowTypes, recordHash),
            ReplaySql.targetDigest(fwd, recordHash),
            "LOCK TABLE " + s + ", " + h + " IN ACCESS EXCLUSIVE MODE",
            List.copyOf(cutover),
            List.copyOf(reverseCapture),
            retained ? ReplaySql.replayBatch(rev, false) : "",
            retained ? ReplaySql.backlog(rlog) : "",
            "LOCK TABLE " + s + ", " + a + " IN ACCESS EXCLUSIVE MODE",
            List.copyOf(rollbackSwap),
            List.copyOf(cancel),
            List.copyOf(finalize),
            syncExtras(design, carry),
            carry.validateAfterCutover(),
            carry.otherTables(),
            originalSnapshot,
            expectedSnapshot,
            carry.locksFirst(),
            carry.validateAfterRollback())
        .withComputedHash();
  }

  private static List<KeyColumn> keyColumns(
      TableInfo source, TableInfo shadow, ShadowDesign design) {
    List<KeyColumn> key = new ArrayList<>();
    for (String k : source.primaryKey()) {
      ShadowDesign.Column c =
          design.columns().values().stream()
              .filter(x -> k.equals(x.source()))
              .findFirst()
              .orElseThrow();
      key.add(new KeyColumn(k, source.typeOf(k), c.name(), shadow.typeOf(c.name())));
    }
    List<String> shadowPk = shadow.primaryKey();
    if (!shadowPk.equals(key.stream().map(KeyColumn::target).toList())) {
      throw new PlanRejectedException(
          "the primary key must stay the same columns (it is " + shadowPk + " after the changes)");
    }
    return key;
  }

  private static List<String> insertable(TableInfo t) {
    return t.columns().stream().filter(c -> !c.isGenerated()).map(ColumnInfo::name).toList();
  }

  private static List<String> updatable(List<String> cols, List<KeyColumn> key, TableInfo target) {
    List<String> keys = key.stream().map(KeyColumn::target).toList();
    return cols.stream()
        .filter(c -> !keys.contains(c))
        .filter(c -> target.column(c).map(x -> !"a".equals(x.identity())).orElse(true))
        .toList();
  }

  private static boolean hasIdentityAlways(TableInfo target, List<String> cols) {
    return cols.stream()
        .anyMatch(c -> target.column(c).map(x -> "a".equals(x.identity())).orElse(false));
  }

  /** A size for people: 1.5 GiB. */
  public static String humanBytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = b;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /** Checks of the verified shadow first (a new key's orphans), then what is built over it. */
  private static List<String> syncExtras(ShadowDesign design, Carryover carry) {
    List<String> out = new ArrayList<>(design.preSwapChecks());
    out.addAll(carry.syncing());
    return out;
  }

  /** The live table's snapshot after the cut-over, from the planning shadow with final names. */
  private static Map<String, List<String>> expectation(
      Connection conn,
      TableInfo source,
      String sPrinted,
      String hPrinted,
      ShadowDesign design,
      Carryover carry,
      long shadowOid,
      Map<String, List<String>> original)
      throws SQLException {
    SnapshotExpectation e = new SnapshotExpectation();
    e.rename(hPrinted, sPrinted);
    List<ShadowDesign.Index> byLength = new ArrayList<>(design.indexes());
    byLength.sort((x, y) -> y.shadowName().length() - x.shadowName().length());
    for (ShadowDesign.Index ix : byLength) {
      e.rename(ix.shadowName(), ix.finalName());
    }
    for (TableInfo.OwnedSequence seq : source.ownedSequences()) {
      e.rename(Names.suffixed(seq.name(), Names.NEW), seq.name());
    }
    carry.scratchParents().forEach(e::rename);
    design.scratchParents().forEach(e::rename);
    Map<String, String> quotedRenames = new java.util.HashMap<>();
    for (Map.Entry<String, String> c : finalColumns(design).entrySet()) {
      if (!c.getKey().equals(c.getValue())) {
        quotedRenames.put(
            CatalogChecks.quoteIdent(conn, c.getKey()),
            CatalogChecks.quoteIdent(conn, c.getValue()));
      }
    }
    return e.compute(conn, shadowOid, original, quotedRenames, carry.checkViews());
  }

  /** Each original column's name on the new table; dropped columns are absent. */
  private static Map<String, String> finalColumns(ShadowDesign design) {
    Map<String, String> out = new java.util.HashMap<>();
    for (ShadowDesign.Column c : design.columns().values()) {
      if (c.source() != null) {
        out.put(c.source(), c.name());
      }
    }
    return out;
  }

  /**
   * {@code CREATE SCHEMA IF NOT EXISTS} fails with a duplicate key when another process (the first
   * step of another migration) created the schema after this transaction looked: the name check
   * reads this session's catalog cache. A new transaction sees the schema, so planning starts
   * again.
   */
  private static void createLedgerSchema(Connection conn, DryRun dry) throws SQLException {
    Savepoint sp = conn.setSavepoint();
    try (Statement st = conn.createStatement()) {
      st.execute("CREATE SCHEMA IF NOT EXISTS " + Sql.ident(Names.LEDGER_SCHEMA));
      conn.releaseSavepoint(sp);
    } catch (SQLException e) {
      if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw new CreatedConcurrently();
      }
      conn.rollback(sp);
      dry.run("create schema", "CREATE SCHEMA IF NOT EXISTS " + Sql.ident(Names.LEDGER_SCHEMA));
    }
  }

  private static final String UNIQUE_VIOLATION = "23505";

  /** The ledger schema appeared while this plan was being made; plan again. */
  private static final class CreatedConcurrently extends RuntimeException {
    CreatedConcurrently() {
      super(null, null, false, false);
    }
  }
}
