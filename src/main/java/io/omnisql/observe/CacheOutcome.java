package io.omnisql.observe;

/** How the result cache answered one table read; the label value is the lower-case name. */
public enum CacheOutcome {
    HIT, MISS, COALESCED;

    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    public String label() {
        return label;
    }
}
