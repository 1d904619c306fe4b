package dev.inflight.operator.resource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.inflight.api.Change;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/**
 * The schema of one entry of {@code spec.changes} as the API server checks it: the same fields as
 * {@link dev.inflight.api.Change}, with the CRD's validation and descriptions. {@link
 * ResourceSpecs} maps it to the engine's model.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "[has(self.addColumn), has(self.dropColumn), has(self.renameColumn), has(self.alterColumnType),"
            + " has(self.setNotNull), has(self.dropNotNull), has(self.setDefault), has(self.dropDefault),"
            + " has(self.createIndex), has(self.dropIndex), has(self.addCheck), has(self.addForeignKey),"
            + " has(self.dropConstraint), has(self.addUnique), has(self.renameIndex),"
            + " has(self.sql)].filter(x, x).size() == 1",
    message = "each change has exactly one operation")
public record ChangeSchema(
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

  /** {@link Change.AddColumn}, as the API server checks it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AddColumn(
      @Required String name,
      @Required String type,
      @JsonProperty("default") String defaultValue,
      Boolean notNull,
      String comment) {}

  /** {@link Change.DropColumn}, as the API server checks it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DropColumn(
      @Required String name,
      @JsonPropertyDescription(
              "SQL expression over the new row giving the dropped column's value for a rollback.")
          String reverseUsing) {}

  /** {@link Change.RenameColumn}, as the API server checks it. */
  public record RenameColumn(@Required String from, @Required String to) {}

  /** {@link Change.AlterColumnType}, as the API server checks it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AlterColumnType(
      @Required String column,
      @Required String type,
      @JsonPropertyDescription("SQL expression converting the old value, as ALTER TABLE ... USING.")
          String using,
      @JsonPropertyDescription("SQL expression converting a new value back, for a rollback.")
          String reverseUsing) {}

  /** {@link Change.SetNotNull}, as the API server checks it. */
  public record SetNotNull(@Required String column) {}

  /** {@link Change.DropNotNull}, as the API server checks it. */
  public record DropNotNull(@Required String column) {}

  /** {@link Change.SetDefault}, as the API server checks it. */
  public record SetDefault(
      @Required String column, @Required @JsonProperty("default") String defaultValue) {}

  /** {@link Change.DropDefault}, as the API server checks it. */
  public record DropDefault(@Required String column) {}

  /** {@link Change.CreateIndex}, as the API server checks it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CreateIndex(
      @Required String name,
      @JsonPropertyDescription("Key columns, by name.") List<String> columns,
      @JsonPropertyDescription("Key expressions (SQL), after the columns.")
          List<String> expressions,
      Boolean unique,
      @JsonPropertyDescription("Predicate of a partial index (SQL).") String where,
      @JsonPropertyDescription("Index access method, e.g. btree, gin, gist.") String method) {}

  /** {@link Change.DropIndex}, as the API server checks it. */
  public record DropIndex(@Required String name) {}

  /** {@link Change.AddCheck}, as the API server checks it. */
  public record AddCheck(@Required String name, @Required String expression) {}

  /** {@link Change.AddForeignKey}, as the API server checks it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AddForeignKey(
      @Required String name,
      @Required List<String> columns,
      @Required References references,
      String onDelete,
      String onUpdate) {}

  /** {@link Change.References}, as the API server checks it. */
  public record References(@Required String table, @Required List<String> columns) {}

  /** {@link Change.DropConstraint}, as the API server checks it. */
  public record DropConstraint(@Required String name) {}

  /** {@link Change.AddUnique}, as the API server checks it. */
  public record AddUnique(@Required String name, @Required List<String> columns) {}

  /** {@link Change.RenameIndex}, as the API server checks it. */
  public record RenameIndex(@Required String from, @Required String to) {}

  /** {@link Change.RawSql}, as the API server checks it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RawSql(
      @Required
          @JsonPropertyDescription("One statement: ALTER TABLE {{table}} followed by its actions.")
          String statement,
      @JsonPropertyDescription(
              "New column name to an SQL expression over the old columns, where matching by name"
                  + " is not enough.")
          Map<String, String> columns) {}
}
