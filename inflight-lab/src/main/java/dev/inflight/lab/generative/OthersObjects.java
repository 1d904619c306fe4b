package dev.inflight.lab.generative;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What another team creates on the table while the migration runs: a view over it, a grant on it,
 * and another table with a foreign key to it. Each must end up on the live table, exactly as if it
 * had existed before the migration began.
 */
final class OthersObjects {
  static final String ROLE = "gen_reader";

  private OthersObjects() {}

  static void create(Connection c, TableShape shape) throws SQLException {
    String keys = String.join(", ", shape.key().columns());
    try (Statement st = c.createStatement()) {
      st.execute(
          "DO $$ BEGIN CREATE ROLE "
              + ROLE
              + "; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
      st.execute("CREATE VIEW others_view AS SELECT " + keys + ", qty FROM subject");
      st.execute("GRANT SELECT ON subject TO " + ROLE);
      st.execute("CREATE TABLE others_child AS SELECT " + keys + " FROM subject WITH NO DATA");
      st.execute(
          "ALTER TABLE others_child ADD CONSTRAINT others_child_fk FOREIGN KEY ("
              + keys
              + ") REFERENCES subject ON DELETE CASCADE");
    }
  }
}
