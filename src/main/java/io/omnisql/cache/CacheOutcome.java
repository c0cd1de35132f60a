package io.omnisql.cache;

import java.util.Locale;

/** How a table reference was served: from cache, by its own upstream fetch, or by sharing another's. */
public enum CacheOutcome {
    HIT, MISS, COALESCED, STALE;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
