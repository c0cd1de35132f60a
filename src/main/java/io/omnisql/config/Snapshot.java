package io.omnisql.config;

/**
 * One immutable view of the three configuration files. A request takes one snapshot at its start; a
 * reload builds a whole new snapshot and swaps it in only when every participant accepted it.
 *
 * @param version this process's reload counter (1 at start)
 * @param digest  a hash of the three files' bytes: replicas serving the same files report the same digest
 * @param catalogTree catalog.yaml as read, for sections other components parse ({@link #section})
 */
public record Snapshot(long version, String digest, Catalog catalog, YamlTree policies, YamlTree rateLimits,
                       YamlTree catalogTree) {

    /**
     * A top-level section of one file, read with the one section reader: e.g. {@code section(ConfigStore.CATALOG,
     * "observability")}. An absent section reads as empty.
     */
    public Section section(String file, String key) throws ConfigException {
        YamlTree tree = switch (file) {
            case ConfigStore.CATALOG -> catalogTree;
            case ConfigStore.POLICIES -> policies;
            case ConfigStore.RATE_LIMITS -> rateLimits;
            default -> throw new IllegalArgumentException("not a configuration file: " + file);
        };
        return Section.root(tree).section(key, false);
    }
}
