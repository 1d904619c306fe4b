package dev.inflight.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry of {@code spec.changes}: exactly one operation field is set. The operations are applied
 * to the shadow table in the order they are listed, with the semantics of the {@code ALTER TABLE}
 * statement of the same name.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@io.fabric8.generator.annotation.ValidationRule(
    value =
        "[has(self.addColumn), has(self.dropColumn), has(self.renameColumn), has(self.alterColumnType),"
            + " has(self.setNotNull), has(self.dropNotNull), has(self.setDefault), has(self.dropDefault),"
            + " has(self.createIndex), has(self.dropIndex), has(self.addCheck), has(self.addForeignKey),"
            + " has(self.dropConstraint), has(self.addUnique), has(self.renameIndex),"
            + " has(self.sql)].filter(x, x).size() == 1",
    message = "each change has exactly one operation")
public record Change(
    @JsonPropertyDescription("Adds a column: name, type, default, notNull, comment.")
        AddColumn addColumn,
    @JsonPropertyDescription("Drops a column; reverseUsing recomputes it for a rollback.")
        DropColumn dropColumn,
    @JsonPropertyDescription("Renames a column (from, to).") RenameColumn renameColumn,
    @JsonPropertyDescription(
            "Changes a column's type: using converts old values, reverseUsing converts back for a rollback.")
        AlterColumnType alterColumnType,
    @JsonPropertyDescription("Adds NOT NULL to a column.") SetNotNull setNotNull,
    @JsonPropertyDescription("Drops NOT NULL from a column.") DropNotNull dropNotNull,
    @JsonPropertyDescription("Sets a column default (an SQL expression).") SetDefault setDefault,
    @JsonPropertyDescription("Drops a column default.") DropDefault dropDefault,
    @JsonPropertyDescription("Creates an index on the new table, built after the copy.")
        CreateIndex createIndex,
    @JsonPropertyDescription("Drops an index by name.") DropIndex dropIndex,
    @JsonPropertyDescription("Adds a CHECK constraint (name, expression).") AddCheck addCheck,
    @JsonPropertyDescription(
            "Adds a foreign key, attached NOT VALID at the swap and validated after it.")
        AddForeignKey addForeignKey,
    @JsonPropertyDescription("Drops a constraint by name.") DropConstraint dropConstraint,
    @JsonPropertyDescription("Adds a unique constraint, built as an index and then attached.")
        AddUnique addUnique,
    @JsonPropertyDescription("Renames an index and the constraint it backs (from, to).")
        RenameIndex renameIndex,
    @JsonPropertyDescription(
            "One ALTER TABLE {{table}} ... statement for what the other operations do not cover.")
        RawSql sql) {

  /** Adds a column; existing rows get {@code default} (or NULL). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AddColumn(
      @Required String name,
      @Required String type,
      @JsonProperty("default") String defaultValue,
      Boolean notNull,
      String comment) {}

  /**
   * Drops a column. {@code reverseUsing} computes the column again from the new row when rows
   * written after cut-over are copied back for a rollback.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DropColumn(
      @Required String name,
      @JsonPropertyDescription(
              "SQL expression over the new row giving the dropped column's value for a rollback.")
          String reverseUsing) {}

  /** Renames a column. */
  public record RenameColumn(@Required String from, @Required String to) {}

  /**
   * Changes a column's type. {@code using} converts the old value (as {@code ALTER TABLE ...
   * USING}); {@code reverseUsing} converts a new value back for rollback.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AlterColumnType(
      @Required String column,
      @Required String type,
      @JsonPropertyDescription("SQL expression converting the old value, as ALTER TABLE ... USING.")
          String using,
      @JsonPropertyDescription("SQL expression converting a new value back, for a rollback.")
          String reverseUsing) {}

  /** Adds a NOT NULL constraint; a NULL in any row fails the backfill, not the application. */
  public record SetNotNull(@Required String column) {}

  /** Drops a NOT NULL constraint. */
  public record DropNotNull(@Required String column) {}

  /** Sets a column default (an SQL expression). */
  public record SetDefault(
      @Required String column, @Required @JsonProperty("default") String defaultValue) {}

  /** Drops a column default. */
  public record DropDefault(@Required String column) {}

  /**
   * Creates an index on the new table, built after the copy. {@code columns} are column names,
   * {@code expressions} SQL expressions; the key is the columns followed by the expressions.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CreateIndex(
      @Required String name,
      @JsonPropertyDescription("Key columns, by name.") List<String> columns,
      @JsonPropertyDescription("Key expressions (SQL), after the columns.")
          List<String> expressions,
      Boolean unique,
      @JsonPropertyDescription("Predicate of a partial index (SQL).") String where,
      @JsonPropertyDescription("Index access method, e.g. btree, gin, gist.") String method) {}

  /** Drops an index; the archived table keeps it for rollback. */
  public record DropIndex(@Required String name) {}

  /** Adds a CHECK constraint; a row that violates it fails the backfill, not the application. */
  public record AddCheck(@Required String name, @Required String expression) {}

  /**
   * Adds a foreign key to another table. It is attached in the swap (NOT VALID) and validated right
   * after; rows that would violate it stop the migration before the swap.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AddForeignKey(
      @Required String name,
      @Required List<String> columns,
      @Required References references,
      String onDelete,
      String onUpdate) {}

  /** The referenced side of a foreign key. */
  public record References(@Required String table, @Required List<String> columns) {}

  /** Drops a constraint (check, unique, foreign key or exclusion) by name. */
  public record DropConstraint(@Required String name) {}

  /** Adds a unique constraint, built as an index after the copy and then attached. */
  public record AddUnique(@Required String name, @Required List<String> columns) {}

  /** Renames an index (and the constraint it backs). */
  public record RenameIndex(@Required String from, @Required String to) {}

  /**
   * One {@code ALTER TABLE {{table}} ...} statement applied to the new table, for what the other
   * operations do not cover. Column values follow by name; {@code columns} maps a new column to an
   * expression over the old ones (for a column the statement renames or computes).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RawSql(
      @Required
          @JsonPropertyDescription("One statement: ALTER TABLE {{table}} followed by its actions.")
          String statement,
      @JsonPropertyDescription(
              "New column name to an SQL expression over the old columns, where matching by name"
                  + " is not enough.")
          java.util.Map<String, String> columns) {}

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
