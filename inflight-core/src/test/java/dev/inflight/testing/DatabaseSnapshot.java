package dev.inflight.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything a refused migration must leave as it was, as sorted lines: schemas, relations,
 * columns, defaults, indexes, constraints, triggers, functions, types, comments, roles, sequence
 * positions and the contents of every user table. Two snapshots are equal exactly when none of it
 * changed; a difference reads as the lines that appeared or disappeared.
 */
public final class DatabaseSnapshot {
  private static final String USER_SCHEMA = "n.nspname NOT IN ('pg_catalog', 'information_schema')";

  private DatabaseSnapshot() {}

  public static List<String> take(TestDatabase db) {
    List<String> out = new ArrayList<>();
    section(out, db, "schema", "SELECT nspname FROM pg_namespace");
    section(
        out,
        db,
        "inflight schema exists",
        "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'inflight')::text");
    section(
        out,
        db,
        "relation",
        "SELECT n.nspname || '.' || c.relname || ' kind=' || c.relkind::text || ' persistence=' || c.relpersistence::text"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
            + USER_SCHEMA);
    section(
        out,
        db,
        "column",
        "SELECT n.nspname || '.' || c.relname || '.' || a.attname || ' #' || a.attnum || ' '"
            + " || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END"
            + " || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')"
            + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
            + " WHERE a.attnum > 0 AND NOT a.attisdropped AND "
            + USER_SCHEMA);
    section(
        out,
        db,
        "index",
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
            + USER_SCHEMA);
    section(
        out,
        db,
        "constraint",
        "SELECT n.nspname || ' ' || k.conrelid::regclass::text || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid)"
            + " FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE "
            + USER_SCHEMA);
    section(
        out,
        db,
        "trigger",
        "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t WHERE NOT t.tgisinternal");
    section(
        out,
        db,
        "function",
        "SELECT p.oid::regprocedure::text || ' ' || md5(coalesce(p.prosrc, ''))"
            + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE "
            + USER_SCHEMA);
    section(
        out,
        db,
        "type",
        "SELECT n.nspname || '.' || t.typname || ' ' || t.typtype::text FROM pg_type t"
            + " JOIN pg_namespace n ON n.oid = t.typnamespace WHERE "
            + USER_SCHEMA);
    section(
        out,
        db,
        "comment",
        "SELECT c.relname || ' ' || d.objsubid || ' ' || d.description FROM pg_description d"
            + " JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
            + USER_SCHEMA);
    section(out, db, "role", "SELECT rolname FROM pg_roles");
    section(
        out,
        db,
        "sequence",
        "SELECT schemaname || '.' || sequencename || ' ' || coalesce(last_value::text, 'unused') FROM pg_sequences");
    // query_to_xml runs a query built from a catalog row: the contents of every user table, hashed
    // (other sessions' temporary tables cannot be read).
    section(
        out,
        db,
        "rows",
        "SELECT n.nspname || '.' || c.relname || ' ' || (xpath('/row/h/text()', query_to_xml(format("
            + "'SELECT count(*) || '' '' || coalesce(md5(string_agg(t::text, '','' ORDER BY t::text)), '''') AS h"
            + " FROM ONLY %I.%I t', n.nspname, c.relname), false, true, '')))[1]::text"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind = 'r' AND c.relpersistence <> 't'"
            + " AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')");
    return out;
  }

  private static void section(List<String> out, TestDatabase db, String name, String sql) {
    db.strings(sql + " ORDER BY 1").forEach(line -> out.add(name + ": " + line));
  }
}
