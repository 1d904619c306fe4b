package dev.inflight.operator;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A PostgreSQL connection URL from a Secret, taken apart: a JDBC URL ({@code
 * jdbc:postgresql://host:port/db?user=..&password=..}, as CloudNativePG and Crunchy PGO write in
 * {@code jdbc-uri}) or a libpq URI ({@code postgresql://user:password@host:port/db}, their {@code
 * uri}). Either may hold the password, so no value of the URL ever appears in an exception or a
 * string made here: a malformed URL is reported by the key it came from and what is wrong with it.
 *
 * @param hosts the host, or a JDBC URL's comma-separated host list as written (then no {@code
 *     port}); null when the URL names none
 * @param params connection parameters other than the user and password, for the JDBC URL
 */
record ConnectionUrl(
    String hosts,
    Integer port,
    String dbname,
    String user,
    String password,
    Map<String, String> params) {
  private static final String JDBC = "jdbc:postgresql:";

  /** The URL in a Secret's key cannot be read; the message names the key, never the value. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String key, String what) {
      super("key " + key + " " + what);
    }
  }

  static ConnectionUrl parse(String key, String value) throws Malformed {
    if (value.startsWith(JDBC)) {
      return parse(key, value.substring(JDBC.length()), true);
    }
    for (String scheme : new String[] {"postgresql:", "postgres:"}) {
      if (value.startsWith(scheme)) {
        return parse(key, value.substring(scheme.length()), false);
      }
    }
    throw new Malformed(key, "is not a jdbc:postgresql: URL or a postgresql:// URI");
  }

  private static ConnectionUrl parse(String key, String rest, boolean jdbc) throws Malformed {
    int query = rest.indexOf('?');
    String beforeQuery = query < 0 ? rest : rest.substring(0, query);
    Map<String, String> params =
        query < 0 ? new LinkedHashMap<>() : params(key, rest.substring(query + 1), jdbc);
    String authority = null;
    String path = beforeQuery;
    if (beforeQuery.startsWith("//")) {
      int slash = beforeQuery.indexOf('/', 2);
      authority = slash < 0 ? beforeQuery.substring(2) : beforeQuery.substring(2, slash);
      path = slash < 0 ? "" : beforeQuery.substring(slash);
    } else if (!jdbc) {
      throw new Malformed(key, "is not a postgresql:// URI");
    }
    String user = params.remove("user");
    String password = params.remove("password");
    if (authority != null) {
      int at = authority.lastIndexOf('@');
      if (at >= 0) {
        if (jdbc) {
          throw new Malformed(key, "has user information before the host, which JDBC URLs do not");
        }
        String info = authority.substring(0, at);
        authority = authority.substring(at + 1);
        int colon = info.indexOf(':');
        user = decode(key, colon < 0 ? info : info.substring(0, colon), false);
        password = colon < 0 ? password : decode(key, info.substring(colon + 1), false);
      }
    }
    String hosts = null;
    Integer port = null;
    if (authority != null && !authority.isEmpty()) {
      if (authority.contains(",")) {
        hosts = authority;
      } else {
        int colon = authority.lastIndexOf(':');
        boolean bracketed = authority.startsWith("[");
        if (colon > (bracketed ? authority.indexOf(']') : -1)) {
          hosts = authority.substring(0, colon);
          port = port(key, authority.substring(colon + 1));
        } else {
          hosts = authority;
        }
      }
      hosts = hosts.isEmpty() ? null : hosts;
    }
    String db = path.startsWith("/") ? path.substring(1) : path;
    db = db.isEmpty() ? null : decode(key, db, jdbc);
    return new ConnectionUrl(hosts, port, db, user, password, params);
  }

  private static Map<String, String> params(String key, String query, boolean jdbc)
      throws Malformed {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(key, eq < 0 ? pair : pair.substring(0, eq), jdbc);
      String value = eq < 0 ? "" : decode(key, pair.substring(eq + 1), jdbc);
      // A libpq URI's other parameters have libpq's names and units; only these mean the same.
      if (jdbc || name.equals("user") || name.equals("password") || name.equals("sslmode")) {
        out.put(name, value);
      }
    }
    return out;
  }

  /** A port number, 1 to 65535; the message names the key only. */
  static int port(String key, String text) throws Malformed {
    if (!text.matches("[0-9]{1,5}")
        || Integer.parseInt(text) < 1
        || Integer.parseInt(text) > 65535) {
      throw new Malformed(key, "has a port that is not a number from 1 to 65535");
    }
    return Integer.parseInt(text);
  }

  /**
   * Percent-decoding; JDBC URLs also read {@code +} as a space, as the driver does (and as the Go
   * encoders of the PostgreSQL operators write a space).
   */
  private static String decode(String key, String text, boolean plusIsSpace) throws Malformed {
    try {
      return URLDecoder.decode(
          plusIsSpace ? text : text.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new Malformed(key, "has a malformed %-escape");
    }
  }

  /** A JDBC URL with no user or password in it: those go to the driver apart. */
  static String jdbcUrl(String hosts, Integer port, String dbname, Map<String, String> params) {
    String host =
        hosts.contains(":") && !hosts.contains(",") && !hosts.startsWith("[")
            ? "[" + hosts + "]"
            : hosts;
    StringBuilder url = new StringBuilder("jdbc:postgresql://").append(host);
    if (port != null) {
      url.append(':').append(port);
    }
    url.append('/').append(URLEncoder.encode(dbname, StandardCharsets.UTF_8));
    char separator = '?';
    for (Map.Entry<String, String> p : params.entrySet()) {
      url.append(separator)
          .append(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
      separator = '&';
    }
    return url.toString();
  }

  @Override
  public String toString() {
    return "ConnectionUrl[" + hosts + ":" + port + "/" + dbname + " as " + user + "]";
  }
}
