CREATE SCHEMA "Sales ""EU""";
CREATE TABLE "Sales ""EU"""."Line Items" ("Order Id" integer, "line;no" integer, qty integer NOT NULL, note text, PRIMARY KEY ("Order Id", "line;no")) WITH (autovacuum_enabled = false);
INSERT INTO "Sales ""EU"""."Line Items" SELECT g / 3, g % 3, 1 + g % 7, 'n' || g FROM generate_series(1, 300) g;
