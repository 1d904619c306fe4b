package dev.inflight.engine.change;

import dev.inflight.api.Change;
import dev.inflight.engine.sql.Errors;
import dev.inflight.engine.sql.Sql;
import dev.inflight.engine.sql.SqlExpressions;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.regex.Pattern;

/**
 * Changes a column's type. Without {@code using} the value is assigned with PostgreSQL's assignment
 * cast (a type with no such cast is refused, as ALTER TABLE refuses it); with it, the expression
 * converts each row during the copy and replay, never in the application's statement.
 *
 * <p>An existing default is converted with the same expression when it is a constant; a
 * non-constant default (nextval, now()) must be replaced by a later setDefault or dropDefault.
 * Rollback converts new values back with {@code reverseUsing}, or with the assignment cast; a type
 * with neither is refused unless rollback is disabled.
 */
final class AlterColumnTypeOp implements ChangeOp {
  static final Pattern CONSTANT =
      Pattern.compile(
          "\\(*(?:'(?:[^']|'')*'|-?\\d+(?:\\.\\d+)?|true|false|NULL)\\)*(?:::[a-z_][a-z0-9_ ]*(?:\\([0-9, ]+\\))?(?:\\[\\])*)?",
          Pattern.CASE_INSENSITIVE);

  private final String column;
  private final String type;
  private final String using;
  private final String reverseUsing;

  AlterColumnTypeOp(Change.AlterColumnType spec) {
    String what = "alterColumnType " + spec.column();
    this.column = spec.column();
    this.type = SqlExpressions.typeName(what + " type", spec.type());
    this.using =
        spec.using() == null ? null : SqlExpressions.expression(what + " using", spec.using());
    this.reverseUsing =
        spec.reverseUsing() == null
            ? null
            : SqlExpressions.expression(what + " reverseUsing", spec.reverseUsing());
  }

  @Override
  public String describe() {
    return "alterColumnType " + column + " " + type;
  }

  @Override
  public void apply(ShadowDesign d) throws SQLException {
    ShadowDesign.Column c = d.requireColumn(describe(), column);
    if (d.isKey(c) && (using != null || reverseUsing != null)) {
      throw new IllegalArgumentException(
          describe() + ": a primary key column can change type only by assignment cast (no using)");
    }
    if (c.source() == null && using != null) {
      throw new IllegalArgumentException(
          describe() + ": the column is added by this migration; give its final type in addColumn");
    }
    String col = Sql.ident(column);
    String alter = "ALTER TABLE " + d.shadowSql() + " ALTER COLUMN " + col;
    String convertedDefault = null;
    boolean dropDefault = false;
    if (c.defaultExpr != null && (d.laterChangesDefault(column) || using != null)) {
      dropDefault = true;
      if (!d.laterChangesDefault(column)) {
        convertedDefault = convertDefault(d, c);
      }
    }
    if (dropDefault) {
      d.ddl(alter + " DROP DEFAULT");
    }
    d.ddl(alter + " TYPE " + type + (using == null ? "" : " USING (" + using + ")"));
    if (convertedDefault != null) {
      d.ddl(alter + " SET DEFAULT " + convertedDefault);
    }
    c.type = type;
    if (dropDefault) {
      c.defaultExpr = convertedDefault;
    }
    if (using != null) {
      d.forward().replace(column, using);
    }
    String back = reverseUsing;
    if (back != null) {
      d.backward(p -> p.replace(column, back));
    }
  }

  /** Evaluates {@code using} over the old constant default; returns a literal of the new type. */
  private String convertDefault(ShadowDesign d, ShadowDesign.Column c) throws SQLException {
    String hint = "; add setDefault or dropDefault for " + column + " after this change";
    if (!CONSTANT.matcher(c.defaultExpr.trim()).matches()) {
      throw new IllegalArgumentException(
          describe()
              + ": the default "
              + c.defaultExpr
              + " is not a constant, so using cannot convert it"
              + hint);
    }
    String sql =
        "SELECT quote_literal(CAST(("
            + using
            + ") AS "
            + type
            + ")) FROM (SELECT CAST(("
            + c.defaultExpr
            + ") AS "
            + c.type
            + ") AS "
            + Sql.ident(column)
            + ") AS old_default";
    Savepoint sp = d.connection().setSavepoint();
    try (Statement st = d.connection().createStatement();
        PreparedStatement ps = d.connection().prepareStatement(sql)) {
      // Read only: a using with a side effect (nextval, setval) must fail here, not take effect;
      // the planning transaction's rollback would not undo it. Rolling back to the savepoint
      // ends the read-only mode again.
      st.execute("SET LOCAL transaction_read_only = on");
      String literal;
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        literal = rs.getString(1);
      }
      d.connection().rollback(sp);
      return literal == null ? "NULL" : literal + "::" + type;
    } catch (SQLException e) {
      d.connection().rollback(sp);
      if ("42703".equals(e.getSQLState()) || "42883".equals(e.getSQLState())) {
        // An unknown column or function: using itself is wrong, whatever the default.
        throw new IllegalArgumentException(
            describe() + ": " + Errors.firstLine(String.valueOf(e.getMessage())));
      }
      throw new IllegalArgumentException(
          describe()
              + ": cannot convert the default "
              + c.defaultExpr
              + " with using ("
              + Errors.firstLine(String.valueOf(e.getMessage()))
              + ")"
              + hint);
    }
  }
}
