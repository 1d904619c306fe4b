package dev.inflight.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Connection URLs taken apart as the JDBC driver and libpq read them, and never a value of one in
 * an error.
 */
class ConnectionUrlTest {
  @Test
  void jdbcUrlQueryDecodesAsTheDriverDoes() throws Exception {
    ConnectionUrl u =
        ConnectionUrl.parse(
            "jdbc-uri",
            "jdbc:postgresql://pg-rw.apps:5432/app?password=p%40ss+w%26rd%2B&user=app&sslmode=require");
    assertThat(u.hosts()).isEqualTo("pg-rw.apps");
    assertThat(u.port()).isEqualTo(5432);
    assertThat(u.dbname()).isEqualTo("app");
    assertThat(u.user()).isEqualTo("app");
    assertThat(u.password()).isEqualTo("p@ss w&rd+");
    assertThat(u.params()).containsExactly(Map.entry("sslmode", "require"));
    assertThat(u.toString()).doesNotContain("p@ss");
  }

  @Test
  void libpqUriUserInformationKeepsAPlus() throws Exception {
    ConnectionUrl u =
        ConnectionUrl.parse(
            "uri",
            "postgresql://owner:a+b%20c%40d@[::1]:6432/shop%20db?sslmode=verify-full&target_session_attrs=read-write");
    assertThat(u.hosts()).isEqualTo("[::1]");
    assertThat(u.port()).isEqualTo(6432);
    assertThat(u.dbname()).isEqualTo("shop db");
    assertThat(u.user()).isEqualTo("owner");
    assertThat(u.password()).isEqualTo("a+b c@d");
    assertThat(u.params())
        .as("libpq-only parameters are not passed to the driver")
        .containsExactly(Map.entry("sslmode", "verify-full"));
  }

  @Test
  void aHostListIsKeptAsWritten() throws Exception {
    ConnectionUrl u =
        ConnectionUrl.parse("url", "jdbc:postgresql://a:5432,b:5433/app?targetServerType=primary");
    assertThat(u.hosts()).isEqualTo("a:5432,b:5433");
    assertThat(u.port()).isNull();
    assertThat(ConnectionUrl.jdbcUrl(u.hosts(), null, u.dbname(), u.params()))
        .isEqualTo("jdbc:postgresql://a:5432,b:5433/app?targetServerType=primary");
  }

  @Test
  void theBuiltUrlHasNoCredentialsAndQuotesWhatItMust() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("sslmode", "require");
    params.put("options", "-c search_path=a&b");
    assertThat(ConnectionUrl.jdbcUrl("::1", 5432, "shop db", params))
        .isEqualTo(
            "jdbc:postgresql://[::1]:5432/shop+db?sslmode=require&options=-c+search_path%3Da%26b");
  }

  @Test
  void malformedUrlsAreReportedByKeyOnly() {
    assertThatThrownBy(
            () -> ConnectionUrl.parse("jdbc-uri", "jdbc:postgresql://db:99999/app?password=s3cret"))
        .hasMessage("key jdbc-uri has a port that is not a number from 1 to 65535");
    assertThatThrownBy(() -> ConnectionUrl.parse("uri", "postgresql://u:s3cret%G1@db/app"))
        .hasMessage("key uri has a malformed %-escape");
    assertThatThrownBy(() -> ConnectionUrl.parse("url", "mysql://u:s3cret@db/app"))
        .hasMessage("key url is not a jdbc:postgresql: URL or a postgresql:// URI");
    assertThatThrownBy(() -> ConnectionUrl.parse("url", "jdbc:postgresql://u:s3cret@db/app"))
        .hasMessage("key url has user information before the host, which JDBC URLs do not");
  }
}
