package dev.inflight.engine.catalog;

import java.util.List;

/**
 * Everything that belongs to a table besides its columns and indexes and must survive the swap:
 * constraints that name other tables, objects that depend on it, security, replication and storage
 * settings.
 *
 * @param reloptions storage parameters, e.g. {@code fillfactor=70}
 * @param toastOptions storage parameters of the TOAST table, without the {@code toast.} prefix
 * @param statisticsTargets {@code column=target} for columns with a non-default target
 * @param constraintComments {@code constraint name -> comment}, for constraints that have one
 * @param outgoingForeignKeys foreign keys of this table (name and {@code pg_get_constraintdef})
 * @param incomingForeignKeys foreign keys of other tables that reference this one
 * @param views views and materialized views that depend on the table, directly or through each
 *     other, in creation order
 * @param triggers user triggers, with their definition and enabled state
 * @param rowSecurity RLS enabled; {@code forceRowSecurity} RLS forced on the owner too
 * @param policies RLS policies
 * @param replicaIdentity {@code d}, {@code f}, {@code n} or {@code i}; {@code replicaIndex} the
 *     index for {@code i}
 * @param publications publications the table is in (not FOR ALL TABLES ones)
 * @param allTablesPublications publications that publish every table (they will see the shadow)
 * @param columnOptions per-column options ({@code name} the quoted column, {@code text} e.g. {@code
 *     n_distinct=50})
 * @param statistics extended statistics objects on the table
 * @param columnComments {@code column -> comment} ({@code name} the quoted column), for columns
 *     that have one
 * @param columnStorage {@code column -> storage compression} for every column: {@code attstorage}
 *     and {@code attcompression} (empty: the default), e.g. {@code e p}
 */
public record TableProperties(
    List<String> reloptions,
    List<String> toastOptions,
    List<String> statisticsTargets,
    List<Named> constraintComments,
    List<ForeignKey> outgoingForeignKeys,
    List<ForeignKey> incomingForeignKeys,
    List<DependentView> views,
    List<Trigger> triggers,
    boolean rowSecurity,
    boolean forceRowSecurity,
    List<Policy> policies,
    String replicaIdentity,
    String replicaIndex,
    List<Publication> publications,
    List<String> allTablesPublications,
    List<String> rules,
    List<Named> columnOptions,
    List<Statistics> statistics,
    List<Named> columnComments,
    List<Named> columnStorage) {

  /**
   * An extended statistics object: {@code kinds} as CREATE STATISTICS lists them (empty: the
   * default, as for one expression), {@code columns} its columns and expressions as PostgreSQL
   * prints them.
   */
  public record Statistics(
      String schema, String name, String kinds, String columns, String owner) {}

  /** A name and a text. */
  public record Named(String name, String text) {}

  /**
   * A foreign key. {@code table} is the table that holds it ({@code "schema"."name"}, quoted);
   * {@code definition} is {@code pg_get_constraintdef} (qualified names); {@code validated} is
   * false for a NOT VALID key, which must stay NOT VALID; {@code columns} and {@code
   * referencedColumns} are the column names on each side, in key order.
   */
  public record ForeignKey(
      String name,
      String table,
      String definition,
      boolean validated,
      List<String> columns,
      List<String> referencedColumns,
      String referencedTable,
      String comment) {}

  /**
   * A view or materialized view. {@code definition} is its query with every name qualified; {@code
   * options} its reloptions; {@code checkOption} LOCAL, CASCADED or null; {@code grants} GRANT
   * statements with a {@code {{view}}} placeholder.
   */
  public record DependentView(
      String schema,
      String name,
      boolean materialized,
      String definition,
      List<String> options,
      String owner,
      String comment,
      List<String> grants,
      List<String> indexDefinitions,
      List<String> columns) {}

  /** A trigger; {@code enabled} is pg_trigger.tgenabled (O, D, R, A). */
  public record Trigger(String name, String definition, String enabled) {}

  /** An RLS policy, as {@code CREATE POLICY} needs it. */
  public record Policy(
      String name,
      boolean permissive,
      String command,
      List<String> roles,
      String using,
      String withCheck) {}

  /** A publication and, for this table, its column list and row filter (or null). */
  public record Publication(String name, String columns, String rowFilter) {}
}
