package io.omnisql.cache;

import java.util.Locale;

/** How a table reference was served: from cache, by its own upstream fetch, or by sharing another's. */
public enum CacheOutcome {
    HIT, MISS, COALESCED, STALE;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The lower-case name used in responses, metric labels and logs. */
    public String label() {
        return label;
    }
}
