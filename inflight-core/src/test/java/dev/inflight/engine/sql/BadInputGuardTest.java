package dev.inflight.engine.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The lexical guard on its own, without a database: fragments that would let text escape the
 * parentheses it is placed in are refused, and the ordinary expressions and type names users write
 * pass unchanged (a guard that refuses everything would pass the corpus too).
 */
class BadInputGuardTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "$$x$$",
        "$a1$'$a1$) ; CREATE TABLE pwned (); -- '",
        "$_$'$_$) ; CREATE TABLE pwned (); -- '",
        "$é$'$é$) ; CREATE TABLE pwned (); -- '",
        "1$a$'$a$) ; CREATE TABLE pwned (); -- '",
        "\"x\"$a$'$a$) ; CREATE TABLE pwned (); -- '",
        "name'\\' ) ; CREATE TABLE pwned (); -- '",
        "date'\\' ) OR (true",
        "$1",
        "0; DROP TABLE users",
        "0 -- rest",
        "0 /* rest */",
        "'); DROP TABLE users; --",
        "flag) OR (true",
        "(flag",
        "E'\\'); DROP TABLE users; --",
        "'a'\u0007",
      })
  void refusesFragmentsThatCouldLeaveTheirParentheses(String text) {
    assertThatThrownBy(() -> SqlExpressions.expression("test", text))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "flag <> 0",
        "CASE WHEN flag THEN 1 ELSE 0 END",
        "status = 'active'",
        "''",
        "'it''s'",
        "E'it\\'s'",
        "e'tab\\there'",
        "U&'d\\0061t\\+000061'",
        "price$usd > 0",
        "\"Mixed Case\" IS NOT NULL",
        "\"a$b$\" > 0",
        "to_char(created_at, 'YYYY-MM-DD')",
        "lower(email)",
        "now() - interval '1 day'",
        "'$$' || name",
        "data ? 'key'",
        "1e5 + 2.5E-3",
        "café > 0",
      })
  void acceptsOrdinaryExpressions(String text) {
    assertThat(SqlExpressions.expression("test", text).replace("??", "?")).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "int; DROP TABLE users",
        "integer not null",
        "integer unique",
        "integer primary key",
        "bigint references parents",
        "text default 'x'",
        "text collate c",
        "integer check",
      })
  void refusesTypeNamesWithMoreThanAType(String text) {
    assertThatThrownBy(() -> SqlExpressions.typeName("test", text))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "integer",
        "varchar(20)",
        "numeric(10, 2)",
        "text[]",
        "integer[][]",
        "double precision",
        "character varying(255)",
        "national character varying(10)",
        "bit varying(8)",
        "timestamp with time zone",
        "timestamp(3) without time zone",
        "time with time zone",
        "interval day to second",
        "interval year to month",
        "public.my_enum",
        "tsvector",
      })
  void acceptsTypeNames(String text) {
    assertThat(SqlExpressions.typeName("test", text)).isEqualTo(text);
  }
}
