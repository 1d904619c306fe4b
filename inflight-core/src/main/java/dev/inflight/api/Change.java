package dev.inflight.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One entry of {@code spec.changes}: exactly one operation field is set. The operations are applied
 * to the shadow table in the order they are listed, with the semantics of the {@code ALTER TABLE}
 * statement of the same name.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Change(
    AddColumn addColumn,
    DropColumn dropColumn,
    RenameColumn renameColumn,
    AlterColumnType alterColumnType,
    SetNotNull setNotNull,
    DropNotNull dropNotNull,
    SetDefault setDefault,
    DropDefault dropDefault,
    CreateIndex createIndex,
    DropIndex dropIndex,
    AddCheck addCheck,
    AddForeignKey addForeignKey,
    DropConstraint dropConstraint,
    AddUnique addUnique,
    RenameIndex renameIndex,
    RawSql sql) {

  /** Adds a column; existing rows get {@code default} (or NULL). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AddColumn(
      String name,
      String type,
      @JsonProperty("default") String defaultValue,
      Boolean notNull,
      String comment) {}

  /**
   * Drops a column. {@code reverseUsing} computes the column again from the new row when rows
   * written after cut-over are copied back for a rollback.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DropColumn(String name, String reverseUsing) {}

  /** Renames a column. */
  public record RenameColumn(String from, String to) {}

  /**
   * Changes a column's type. {@code using} converts the old value (as {@code ALTER TABLE ...
   * USING}); {@code reverseUsing} converts a new value back for rollback.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AlterColumnType(String column, String type, String using, String reverseUsing) {}

  /** Adds a NOT NULL constraint; a NULL in any row fails the backfill, not the application. */
  public record SetNotNull(String column) {}

  /** Drops a NOT NULL constraint. */
  public record DropNotNull(String column) {}

  /** Sets a column default (an SQL expression). */
  public record SetDefault(String column, @JsonProperty("default") String defaultValue) {}

  /** Drops a column default. */
  public record DropDefault(String column) {}

  /**
   * Creates an index on the new table, built after the copy. {@code columns} are column names,
   * {@code expressions} SQL expressions; the key is the columns followed by the expressions.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CreateIndex(
      String name,
      List<String> columns,
      List<String> expressions,
      Boolean unique,
      String where,
      String method) {}

  /** Drops an index; the archived table keeps it for rollback. */
  public record DropIndex(String name) {}

  /** Adds a CHECK constraint; a row that violates it fails the backfill, not the application. */
  public record AddCheck(String name, String expression) {}

  /**
   * Adds a foreign key to another table. It is attached in the swap (NOT VALID) and validated right
   * after; rows that would violate it stop the migration before the swap.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AddForeignKey(
      String name, List<String> columns, References references, String onDelete, String onUpdate) {}

  /** The referenced side of a foreign key. */
  public record References(String table, List<String> columns) {}

  /** Drops a constraint (check, unique, foreign key or exclusion) by name. */
  public record DropConstraint(String name) {}

  /** Adds a unique constraint, built as an index after the copy and then attached. */
  public record AddUnique(String name, List<String> columns) {}

  /** Renames an index (and the constraint it backs). */
  public record RenameIndex(String from, String to) {}

  /**
   * One {@code ALTER TABLE {{table}} ...} statement applied to the new table, for what the other
   * operations do not cover. Column values follow by name; {@code columns} maps a new column to an
   * expression over the old ones (for a column the statement renames or computes).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RawSql(String statement, Map<String, String> columns) {}

  /** The operations that are set, in declaration order; a valid change has exactly one. */
  public List<Object> operations() {
    List<Object> set = new ArrayList<>();
    for (Object o :
        new Object[] {
          addColumn,
          dropColumn,
          renameColumn,
          alterColumnType,
          setNotNull,
          dropNotNull,
          setDefault,
          dropDefault,
          createIndex,
          dropIndex,
          addCheck,
          addForeignKey,
          dropConstraint,
          addUnique,
          renameIndex,
          sql
        }) {
      if (o != null) {
        set.add(o);
      }
    }
    return set;
  }

  /** The YAML key of an operation value, e.g. {@code addColumn}. */
  public static String kindOf(Object operation) {
    if (operation instanceof RawSql) {
      return "sql";
    }
    String simple = operation.getClass().getSimpleName();
    return Character.toLowerCase(simple.charAt(0)) + simple.substring(1);
  }
}
