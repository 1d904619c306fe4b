package dev.inflight.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The malformed and hostile migration files in {@code src/test/resources/bad-input/}, one case per
 * file, and the reference schema they are refused against. Each file starts with {@code # expect:
 * <part of the error message>}, optionally followed by {@code # why: <what makes it bad>}.
 */
public final class BadInputCorpus {
  private static final String EXPECT = "# expect: ";
  private static final String WHY = "# why: ";

  /** One corpus file. */
  public record Case(String name, Path file, String expected, String why) {
    @Override
    public String toString() {
      return name;
    }
  }

  private BadInputCorpus() {}

  /**
   * The corpus as files: the resource directory itself, or (when the test classes come from the
   * test jar, as in the command line's tests) a copy of it unpacked once into a temporary
   * directory, so that a command can be given a corpus file's path.
   */
  public static Path directory() {
    URL url = BadInputCorpus.class.getResource("/bad-input");
    try {
      return "file".equals(url.getProtocol()) ? Path.of(url.toURI()) : Unpacked.DIRECTORY;
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The corpus copied out of the test jar, on first use. */
  private static final class Unpacked {
    static final Path DIRECTORY = unpack();

    private static Path unpack() {
      try (FileSystem jar =
          FileSystems.newFileSystem(
              BadInputCorpus.class.getResource("/bad-input").toURI(), Map.of())) {
        Path into = Files.createTempDirectory("inflight-bad-input-");
        try (Stream<Path> files = Files.list(jar.getPath("/bad-input"))) {
          for (Path f : files.toList()) {
            Files.copy(f, into.resolve(f.getFileName().toString()));
          }
        }
        return into;
      } catch (IOException | URISyntaxException e) {
        throw new IllegalStateException("cannot unpack the bad-input corpus: " + e, e);
      }
    }
  }

  /** Every case, by file name. */
  public static List<Case> all() {
    try (Stream<Path> files = Files.list(directory())) {
      return files
          .filter(f -> f.toString().endsWith(".yaml"))
          .sorted()
          .map(BadInputCorpus::load)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The case in the file of this name. */
  public static Case named(String fileName) {
    return load(directory().resolve(fileName));
  }

  private static Case load(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      String first = lines.isEmpty() ? "" : lines.get(0);
      if (!first.startsWith(EXPECT) || first.substring(EXPECT.length()).isBlank()) {
        throw new IllegalStateException(
            file + ": the first line must be '" + EXPECT + "<part of the message>'");
      }
      String why =
          lines.size() > 1 && lines.get(1).startsWith(WHY)
              ? lines.get(1).substring(WHY.length())
              : "";
      return new Case(
          file.getFileName().toString(), file, first.substring(EXPECT.length()).strip(), why);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The tables the corpus refers to: {@code users} (the usual target: serial key, an index, a NOT
   * NULL column without default, a non-constant default, some rows), and one table for each shape
   * the planner refuses (and three whose columns are of a domain with a NOT VALID constraint).
   */
  public static void createReferenceSchema(TestDatabase db) {
    db.exec(
        "CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL, email text,"
            + " status text NOT NULL DEFAULT 'active', last_login timestamptz, flag integer NOT NULL DEFAULT 0,"
            + " created_at timestamptz NOT NULL DEFAULT now(), note text NOT NULL)",
        "CREATE INDEX ix_users_email ON users (email)",
        "COMMENT ON TABLE users IS 'the people who log in'",
        "INSERT INTO users (name, email, status, last_login, flag, note)"
            + " SELECT 'user' || g, 'user' || g || '@example.com', CASE WHEN g % 3 = 0 THEN 'inactive' ELSE 'active' END,"
            + " timestamptz '2024-01-01' + g * interval '1 hour', g % 2, 'n' FROM generate_series(1, 50) g",
        "CREATE TABLE no_key (a integer, b text)",
        "INSERT INTO no_key VALUES (1, 'x'), (1, 'x')",
        "CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)",
        "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
        "CREATE TABLE base_items (id bigint PRIMARY KEY)",
        "CREATE TABLE special_items (extra text) INHERITS (base_items)",
        "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric NOT NULL)",
        "CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100",
        "CREATE TABLE parents (id bigint PRIMARY KEY)",
        "CREATE TABLE children (id bigint PRIMARY KEY, parent_id bigint REFERENCES parents (id))",
        "CREATE TABLE audited (id bigint PRIMARY KEY, touched timestamptz)",
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.touched = now(); RETURN NEW; END$$",
        "CREATE TRIGGER audited_touch BEFORE UPDATE ON audited FOR EACH ROW EXECUTE FUNCTION touch()",
        "CREATE TABLE secrets (id bigint PRIMARY KEY, value text)",
        "ALTER TABLE secrets ENABLE ROW LEVEL SECURITY",
        "CREATE TABLE sessions__ifl_old (id bigint PRIMARY KEY)",
        "CREATE TABLE ruled (id bigint PRIMARY KEY, n integer)",
        "CREATE RULE ruled_never_delete AS ON DELETE TO ruled DO INSTEAD NOTHING",
        "CREATE TABLE summarized (id bigint PRIMARY KEY, total numeric NOT NULL)",
        "CREATE VIEW summarized_big AS SELECT id, total FROM summarized WHERE total > 10",
        "CREATE MATERIALIZED VIEW summarized_count AS SELECT count(*) AS n FROM summarized_big",
        // Legacy rows that break a domain constraint added NOT VALID afterwards.
        "CREATE DOMAIN positive_qty AS integer",
        "CREATE DOMAIN small_qty AS positive_qty",
        "CREATE TABLE stock (id bigint PRIMARY KEY, qty positive_qty)",
        "CREATE TABLE stock_lots (id bigint PRIMARY KEY, lots small_qty)",
        "CREATE TABLE stock_history (id bigint PRIMARY KEY, history positive_qty[])",
        "INSERT INTO stock VALUES (1, -1)",
        "INSERT INTO stock_lots VALUES (1, -1)",
        "INSERT INTO stock_history VALUES (1, '{3,-1}')",
        "ALTER DOMAIN positive_qty ADD CONSTRAINT qty_positive CHECK (VALUE > 0) NOT VALID");
  }
}
