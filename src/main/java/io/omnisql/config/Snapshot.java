package io.omnisql.config;

/**
 * One immutable view of the three configuration files. A request takes one snapshot at its start; a
 * reload builds a whole new snapshot and swaps it in only when every participant accepted it.
 *
 * @param version this process's reload counter (1 at start)
 * @param digest  a hash of the three files' bytes: replicas serving the same files report the same digest
 */
public record Snapshot(long version, String digest, Catalog catalog, YamlTree policies, YamlTree rateLimits) {
}
