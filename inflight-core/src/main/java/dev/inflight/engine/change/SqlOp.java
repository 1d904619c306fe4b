package dev.inflight.engine.change;

import dev.inflight.api.Change;
import dev.inflight.engine.sql.Errors;
import dev.inflight.engine.sql.SqlExpressions;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code ALTER TABLE {{table}} ...} statement for what the other operations do not cover,
 * applied to the new table. It must be a single statement about that table (checked like every
 * expression: no separator, no comment, balanced parentheses, and not a rename or move of the table
 * itself). Planning runs it on the shadow and reads the result from the catalog: columns that
 * disappear are dropped, columns that appear are new (or computed by {@code columns}), columns
 * whose type changes take the assignment cast, exactly like the dedicated operations.
 */
final class SqlOp implements ChangeOp {
  private static final Pattern SHAPE =
      Pattern.compile("(?is)\\s*ALTER\\s+TABLE\\s+\\{\\{table\\}\\}\\s+(.+?)\\s*");
  private static final Pattern FORBIDDEN =
      Pattern.compile(
          "(?is)^(RENAME\\s+TO|SET\\s+SCHEMA|SET\\s+(UN)?LOGGED|(NO\\s+)?INHERIT|OF\\s|NOT\\s+OF|ATTACH|DETACH|"
              + "OWNER\\s+TO|SET\\s+TABLESPACE|DISABLE|ENABLE|CLUSTER|REPLICA\\s+IDENTITY).*");

  private final String body;
  private final Map<String, String> computed;

  SqlOp(Change.RawSql spec) {
    Matcher m = SHAPE.matcher(spec.statement());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "sql: must be one statement of the form ALTER TABLE {{table}} ... (got: "
              + spec.statement()
              + ")");
    }
    this.body = SqlExpressions.expression("sql", m.group(1));
    if (FORBIDDEN.matcher(body).matches()) {
      throw new IllegalArgumentException(
          "sql: '"
              + body.split("\\s+")[0].toUpperCase(Locale.ROOT)
              + " ...' changes the table itself, not its shape; it cannot be migrated this way");
    }
    Map<String, String> cols = new LinkedHashMap<>();
    if (spec.columns() != null) {
      for (Map.Entry<String, String> e : spec.columns().entrySet()) {
        cols.put(e.getKey(), SqlExpressions.expression("sql columns." + e.getKey(), e.getValue()));
      }
    }
    this.computed = cols;
  }

  @Override
  public String describe() {
    return "sql " + (body.length() > 40 ? body.substring(0, 40) + "..." : body);
  }

  @Override
  public void apply(ShadowDesign d) throws SQLException {
    String sql = "ALTER TABLE " + d.shadowSql() + " " + body;
    Map<String, String> before = columns(d);
    Savepoint sp = d.connection().setSavepoint();
    try (PreparedStatement ps = d.connection().prepareStatement(sql)) {
      ps.execute();
      d.connection().releaseSavepoint(sp);
    } catch (SQLException e) {
      d.connection().rollback(sp);
      throw new IllegalArgumentException(
          describe() + ": " + Errors.firstLine(String.valueOf(e.getMessage())));
    }
    d.executedDdl(sql);
    Map<String, String> after = columns(d);
    for (String gone : before.keySet()) {
      if (!after.containsKey(gone)) {
        ShadowDesign.Column c = d.requireColumn(describe(), gone);
        if (d.isKey(c)) {
          throw new IllegalArgumentException(
              describe() + ": the statement removes primary key column " + gone);
        }
        d.removeColumn(gone);
        d.forward().drop(gone);
        d.backward(p -> p.addUnmapped(gone));
      }
    }
    for (Map.Entry<String, String> added : after.entrySet()) {
      String name = added.getKey();
      if (before.containsKey(name)) {
        if (!before.get(name).equals(added.getValue())) {
          d.setType(name, added.getValue());
        }
        continue;
      }
      d.addColumn(name, added.getValue(), false, null);
      if (computed.containsKey(name)) {
        d.forward().addComputed(name, computed.get(name));
      } else {
        d.forward().addUnmapped(name);
      }
      d.backward(p -> p.drop(name));
    }
    for (String name : computed.keySet()) {
      if (!after.containsKey(name) || before.containsKey(name)) {
        throw new IllegalArgumentException(
            describe() + ": columns." + name + " is not a column the statement adds");
      }
    }
  }

  private static Map<String, String> columns(ShadowDesign d) throws SQLException {
    Map<String, String> out = new LinkedHashMap<>();
    try (PreparedStatement ps =
        d.connection()
            .prepareStatement(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = ?::regclass"
                    + " AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum")) {
      ps.setString(1, d.shadowSql());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return out;
  }
}
