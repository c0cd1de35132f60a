package io.omnisql.config;

/**
 * One immutable view of the three configuration files. A request takes one snapshot at its start; a
 * reload builds a whole new snapshot and swaps it in only when every participant accepted it.
 */
public record Snapshot(long version, Catalog catalog, YamlTree policies, YamlTree rateLimits) {
}
