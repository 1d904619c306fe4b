package dev.inflight.engine.plan;

import dev.inflight.engine.PlanRejectedException;
import dev.inflight.engine.catalog.IndexInfo;
import dev.inflight.engine.catalog.TableProperties;
import dev.inflight.engine.change.ShadowDesign;
import dev.inflight.engine.sql.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The new table's indexes, as the planning shadow has them after the changes: all of them are built
 * after the copy (into a heap without indexes, the fastest way to load it), the key's first, since
 * replay finds rows by key; each one carries its comment and that of the constraint it backs.
 *
 * @param key the key's index and the constraint it backs
 * @param builds the other indexes, built at Syncing
 * @param finalRenames the cut-over's renames from shadow names to final names
 * @param shadowRenames the rollback's renames back to shadow names
 * @param dropped final names of the indexes a dropped column took with it
 */
record ShadowIndexes(
    IndexBuild key,
    List<IndexBuild> builds,
    List<String> finalRenames,
    List<String> shadowRenames,
    List<String> dropped) {

  static ShadowIndexes plan(Connection conn, Original original, DesignedShadow designed)
      throws SQLException {
    Map<String, IndexInfo> onShadow =
        designed.table().indexes().stream()
            .collect(Collectors.toMap(IndexInfo::name, Function.identity()));
    IndexBuild key = null;
    List<IndexBuild> builds = new ArrayList<>();
    List<String> finalRenames = new ArrayList<>();
    List<String> shadowRenames = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    for (ShadowDesign.Index index : designed.design().indexes()) {
      IndexInfo built = onShadow.get(index.shadowName());
      if (built == null) {
        dropped.add(index.finalName());
        continue;
      }
      IndexInfo source = index.source();
      IndexBuild build =
          new IndexBuild(
              index.shadowName(),
              index.finalName(),
              source == null ? null : source.name(),
              statements(original, index, built));
      if (isKeyIndex(designed, built)) {
        key = build;
      } else {
        builds.add(build);
      }
      finalRenames.add(rename(original.schema(), index.shadowName(), index.finalName()));
      shadowRenames.add(rename(original.schema(), index.finalName(), index.shadowName()));
      for (PartitionPlan p : original.partitions()) {
        String leaf = leafName(p, index);
        finalRenames.add(rename(p.schema(), Names.suffixed(leaf, Names.NEW), leaf));
        shadowRenames.add(rename(p.schema(), leaf, Names.suffixed(leaf, Names.NEW)));
        if (!leaf.equals(p.indexes().get(sourceName(index)))) {
          CatalogChecks.requireFree(
              conn, p.schema(), leaf, "the name of index " + index.finalName() + " on " + p.name());
        }
      }
    }
    CatalogChecks.requireIndexNamesFree(conn, original.info(), designed.design());
    return new ShadowIndexes(
        requireKey(key),
        List.copyOf(builds),
        List.copyOf(finalRenames),
        List.copyOf(shadowRenames),
        List.copyOf(dropped));
  }

  private static IndexBuild requireKey(IndexBuild key) {
    if (key == null) {
      throw new PlanRejectedException(
          "the new table would have no primary key: replay and verification find rows by key");
    }
    return key;
  }

  private static boolean isKeyIndex(DesignedShadow designed, IndexInfo built) {
    return built.primary()
        || designed.table().keyIndex().map(k -> k.name().equals(built.name())).orElse(false);
  }

  /** The name the index has on a partition of the new table after the cut-over. */
  private static String leafName(PartitionPlan p, ShadowDesign.Index index) {
    return p.finalIndexName(index.finalName(), sourceName(index));
  }

  private static String sourceName(ShadowDesign.Index index) {
    return index.source() == null ? null : index.source().name();
  }

  /**
   * The index as the planning shadow has it, in its tablespace, with the original's comments. On a
   * partitioned shadow each partition's index is built first, under its own name, and the table's
   * own index then attaches them, all in one transaction.
   */
  private static List<String> statements(
      Original original, ShadowDesign.Index index, IndexInfo built) {
    IndexInfo source = index.source();
    List<String> build = new ArrayList<>();
    for (PartitionPlan p : original.partitions()) {
      build.addAll(
          ShadowStatements.recreate(
              built, Names.suffixed(leafName(p, index), Names.NEW), p.shadowSql()));
    }
    build.addAll(
        ShadowStatements.recreate(
            built, index.shadowName(), original.shadow(), original.partitioned()));
    List<String> out =
        new ArrayList<>(
            ShadowStatements.inTablespace(build, source == null ? null : source.tablespace()));
    String constraintComment = constraintComment(original.properties(), source);
    if (constraintComment != null) {
      out.add(
          "COMMENT ON CONSTRAINT "
              + Sql.ident(index.shadowName())
              + " ON "
              + original.shadow()
              + " IS "
              + Sql.literal(constraintComment));
    }
    if (source != null && source.comment() != null) {
      out.add(
          "COMMENT ON INDEX "
              + Sql.qualified(original.schema(), index.shadowName())
              + " IS "
              + Sql.literal(source.comment()));
    }
    return List.copyOf(out);
  }

  private static String constraintComment(TableProperties properties, IndexInfo source) {
    if (source == null || !source.backsConstraint()) {
      return null;
    }
    return properties.constraintComments().stream()
        .filter(c -> c.name().equals(source.name()))
        .map(TableProperties.Named::text)
        .findFirst()
        .orElse(null);
  }

  static String rename(String schema, String from, String to) {
    return "ALTER INDEX " + Sql.qualified(schema, from) + " RENAME TO " + Sql.ident(to);
  }
}
