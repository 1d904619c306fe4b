package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.TableInfo;
import dev.inflight.engine.change.ShadowDesign;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shadow part of the plan: the statements that create it in its final shape, its index builds,
 * what Syncing adds over it, and the snapshot the live table must match after the cut-over.
 */
final class ShadowPlanner {
  private ShadowPlanner() {}

  static ShadowBuild plan(
      Connection conn,
      Original original,
      DesignedShadow designed,
      ShadowIndexes indexes,
      DryRun dry)
      throws SQLException {
    List<String> statements = new ArrayList<>(designed.base());
    statements.addAll(original.carry().shadowSettings());
    designed.design().ddl().stream()
        .filter(ddl -> !ddl.dryRunOnly())
        .map(ShadowDesign.Ddl::sql)
        .forEach(statements::add);
    statements.addAll(designed.partitions());
    addComments(original, indexes, statements, dry);
    Map<String, List<String>> expected = expectation(conn, original, designed);
    statements.addAll(designed.ownership());
    return new ShadowBuild(
        List.copyOf(statements),
        indexes.key(),
        indexes.builds(),
        "ANALYZE " + original.shadow(),
        syncExtras(original, designed),
        expected);
  }

  /**
   * The comments the real build adds to indexes and constraints, so the expected shape has them.
   */
  private static void addComments(
      Original original, ShadowIndexes indexes, List<String> statements, DryRun dry)
      throws SQLException {
    List<IndexBuild> all = new ArrayList<>(indexes.builds());
    all.add(indexes.key());
    for (IndexBuild build : all) {
      for (String sql : build.statements()) {
        if (sql.startsWith("COMMENT ON")) {
          dry.run("copy comments", sql);
        }
      }
    }
    for (String sql : original.carry().shadowComments()) {
      dry.run("copy comments", sql);
    }
  }

  /** Checks of the verified shadow first (a new key's orphans), then what is built over it. */
  private static List<String> syncExtras(Original original, DesignedShadow designed) {
    List<String> out = new ArrayList<>(designed.design().preSwapChecks());
    out.addAll(original.carry().syncing());
    return List.copyOf(out);
  }

  /** The live table's snapshot after the cut-over, from the planning shadow with final names. */
  private static Map<String, List<String>> expectation(
      Connection conn, Original original, DesignedShadow designed) throws SQLException {
    ShadowDesign design = designed.design();
    SnapshotExpectation expectation = new SnapshotExpectation();
    expectation.rename(original.shadowPrinted(), original.printed());
    // Longest names first, so that no shorter name is replaced inside a longer one.
    List<ShadowDesign.Index> byLength = new ArrayList<>(design.indexes());
    byLength.sort((x, y) -> y.shadowName().length() - x.shadowName().length());
    for (ShadowDesign.Index index : byLength) {
      expectation.rename(index.shadowName(), index.finalName());
    }
    for (TableInfo.OwnedSequence seq : original.info().ownedSequences()) {
      expectation.rename(Names.suffixed(seq.name(), Names.NEW), seq.name());
    }
    original.carry().scratchParents().forEach(expectation::rename);
    design.scratchParents().forEach(expectation::rename);
    Map<String, String> quotedRenames = new HashMap<>();
    for (Map.Entry<String, String> column : designed.finalColumns().entrySet()) {
      if (!column.getKey().equals(column.getValue())) {
        quotedRenames.put(
            CatalogChecks.quoteIdent(conn, column.getKey()),
            CatalogChecks.quoteIdent(conn, column.getValue()));
      }
    }
    return expectation.compute(
        conn, designed.oid(), original.snapshot(), quotedRenames, original.carry().checkViews());
  }
}
