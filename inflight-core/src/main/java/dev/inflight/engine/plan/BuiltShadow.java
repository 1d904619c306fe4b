package dev.inflight.engine.plan;

import dev.inflight.engine.catalog.TableInfo;
import dev.inflight.engine.catalog.TableProperties;

/**
 * The shadow as the migration built it, read when the swap is planned again: what it took from the
 * table then, to compare with what the table has now.
 */
record BuiltShadow(TableInfo info, TableProperties properties) {}
