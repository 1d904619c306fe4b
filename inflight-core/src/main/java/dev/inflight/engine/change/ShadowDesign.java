package dev.inflight.engine.change;

import dev.inflight.engine.catalog.ColumnInfo;
import dev.inflight.engine.catalog.IndexInfo;
import dev.inflight.engine.catalog.TableInfo;
import dev.inflight.engine.plan.Names;
import dev.inflight.engine.plan.Projection;
import dev.inflight.engine.sql.Sql;
import java.sql.Connection;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The new table as the change operations shape it, one operation at a time: its columns, its
 * indexes, the DDL that builds it, and the forward and backward row mappings.
 */
public final class ShadowDesign {
  /** A column of the design. {@code source} is the original column name, or null if added. */
  public static final class Column {
    String name;
    String type;
    boolean notNull;
    String defaultExpr;
    final String source;

    Column(String name, String type, boolean notNull, String defaultExpr, String source) {
      this.name = name;
      this.type = type;
      this.notNull = notNull;
      this.defaultExpr = defaultExpr;
      this.source = source;
    }

    public String name() {
      return name;
    }

    public String source() {
      return source;
    }
  }

  /** An index of the design: its final name, its name on the shadow, and where it came from. */
  public record Index(String finalName, String shadowName, IndexInfo source) {}

  /**
   * A statement for the shadow; {@code dryRunOnly} statements shape indexes during planning; {@code
   * executed} ones already ran in the planning transaction.
   */
  public record Ddl(String sql, boolean dryRunOnly, boolean executed) {}

  private final TableInfo table;
  private final Names names;
  private final boolean rollbackRetained;
  private final Connection connection;
  private final LinkedHashMap<String, Column> columns = new LinkedHashMap<>();
  private final List<Index> indexes = new ArrayList<>();
  private final Projection forward;
  private final Deque<Consumer<Projection>> backward = new ArrayDeque<>();
  private final List<Ddl> ddl = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private List<ChangeOp> later = List.of();
  private final Map<String, String> scratchParents = new LinkedHashMap<>();
  private final List<String> preSwapChecks = new ArrayList<>();

  public ShadowDesign(
      TableInfo table, Names names, boolean rollbackRetained, Connection connection) {
    this.table = table;
    this.names = names;
    this.rollbackRetained = rollbackRetained;
    this.connection = connection;
    for (ColumnInfo c : table.columns()) {
      columns.put(c.name(), new Column(c.name(), c.type(), c.notNull(), c.defaultExpr(), c.name()));
    }
    for (IndexInfo i : table.indexes()) {
      indexes.add(new Index(i.name(), names.shadowIndex(i.name()), i));
    }
    this.forward =
        new Projection(
            table.columns().stream().filter(c -> !c.isGenerated()).map(ColumnInfo::name).toList());
  }

  public TableInfo table() {
    return table;
  }

  public Names names() {
    return names;
  }

  /** {@code "schema"."shadow"}. */
  public String shadowSql() {
    return Sql.qualified(table.schema(), names.shadow());
  }

  public boolean rollbackRetained() {
    return rollbackRetained;
  }

  /** The planning transaction, for the few checks that must ask the server. */
  public Connection connection() {
    return connection;
  }

  public Optional<Column> column(String name) {
    return Optional.ofNullable(columns.get(name));
  }

  /** The column, or a refusal naming the columns that do exist. */
  public Column requireColumn(String op, String name) {
    Column c = columns.get(name);
    if (c == null) {
      throw new IllegalArgumentException(
          op
              + ": column \""
              + name
              + "\" does not exist in "
              + table.schema()
              + "."
              + table.name()
              + " (columns: "
              + String.join(", ", columns.keySet())
              + ")");
    }
    return c;
  }

  public void requireAbsent(String op, String name) {
    if (columns.containsKey(name)) {
      throw new IllegalArgumentException(op + ": column \"" + name + "\" already exists");
    }
  }

  /** Refuses a name an index of the new table already has. */
  public void requireNoIndex(String op, String name) {
    if (index(name).isPresent()) {
      throw new IllegalArgumentException(op + ": the table already has an index named " + name);
    }
  }

  /** True when the column is part of the primary key (under its current name). */
  public boolean isKey(Column c) {
    return c.source != null && table.primaryKey().contains(c.source);
  }

  public Map<String, Column> columns() {
    return columns;
  }

  void addColumn(String name, String type, boolean notNull, String defaultExpr) {
    columns.put(name, new Column(name, type, notNull, defaultExpr, null));
  }

  void setType(String name, String type) {
    columns.get(name).type = type;
  }

  void removeColumn(String name) {
    columns.remove(name);
  }

  void renameColumn(String from, String to) {
    LinkedHashMap<String, Column> next = new LinkedHashMap<>();
    for (Map.Entry<String, Column> e : columns.entrySet()) {
      if (e.getKey().equals(from)) {
        e.getValue().name = to;
        next.put(to, e.getValue());
      } else {
        next.put(e.getKey(), e.getValue());
      }
    }
    columns.clear();
    columns.putAll(next);
  }

  public List<Index> indexes() {
    return indexes;
  }

  public Optional<Index> index(String finalName) {
    return indexes.stream().filter(i -> i.finalName().equals(finalName)).findFirst();
  }

  void addIndex(Index index) {
    indexes.add(index);
  }

  void removeIndex(Index index) {
    indexes.remove(index);
  }

  public Projection forward() {
    return forward;
  }

  /** Registers a step of the backward mapping; steps run in reverse order of registration. */
  void backward(Consumer<Projection> step) {
    backward.push(step);
  }

  /** Builds the backward projection, starting from the new table's columns. */
  public Projection backwardProjection(List<String> newColumns) {
    Projection p = new Projection(newColumns);
    for (Consumer<Projection> step : backward) {
      step.accept(p);
    }
    return p;
  }

  void ddl(String sql) {
    ddl.add(new Ddl(sql, false, false));
  }

  void dryRunDdl(String sql) {
    ddl.add(new Ddl(sql, true, false));
  }

  /** A statement for the real shadow that the operation already ran on the planning one. */
  void executedDdl(String sql) {
    ddl.add(new Ddl(sql, false, true));
  }

  public List<Ddl> ddl() {
    return ddl;
  }

  public void warn(String warning) {
    warnings.add(warning);
  }

  public List<String> warnings() {
    return warnings;
  }

  /**
   * A table to check a new foreign key against during planning: a copy (with its unique indexes) of
   * the referenced table, created once, so planning never locks the real one.
   */
  String scratchParent(String parentPrinted) {
    String existing =
        scratchParents.entrySet().stream()
            .filter(e -> e.getValue().equals(parentPrinted))
            .map(Map.Entry::getKey)
            .findFirst()
            .orElse(null);
    if (existing != null) {
      return existing;
    }
    String scratch = Names.LEDGER_SCHEMA + ".fkref_" + scratchParents.size();
    dryRunDdl("CREATE TABLE " + scratch + " (LIKE " + parentPrinted + " INCLUDING INDEXES)");
    scratchParents.put(scratch, parentPrinted);
    return scratch;
  }

  /** Scratch copies of referenced tables (by printed name) with the table each stands for. */
  public Map<String, String> scratchParents() {
    return scratchParents;
  }

  void preSwapCheck(String sql) {
    preSwapChecks.add(sql);
  }

  /** Checks run on the verified shadow before the swap (a new foreign key has no orphans). */
  public List<String> preSwapChecks() {
    return preSwapChecks;
  }

  /** The operations after the one being applied, for look-ahead (a later setDefault). */
  public List<ChangeOp> later() {
    return later;
  }

  /** True when a change after the current one sets or drops the column's default. */
  public boolean laterChangesDefault(String column) {
    return later.stream()
        .anyMatch(
            op ->
                (op instanceof SetDefaultOp s && s.column().equals(column))
                    || (op instanceof DropDefaultOp x && x.column().equals(column)));
  }

  public void setLater(List<ChangeOp> later) {
    this.later = later;
  }
}
