package io.omnisql.ratelimit;

import java.util.Map;

/**
 * Counters for metrics, cumulative since the limiter was created.
 *
 * @param gatewayRefusals   requests refused by principal buckets
 * @param sourceRefusals    upstream fetches refused, by source (rate or concurrency)
 * @param sourceWaits       upstream fetches that slept for a token, by source
 * @param trackedPrincipals principal buckets currently remembered (approximate)
 * @param fallbackDecisions decisions taken by this replica alone because the shared store was unreachable
 */
public record RateLimitStats(long gatewayRefusals, Map<String, Long> sourceRefusals,
                             Map<String, Long> sourceWaits, long trackedPrincipals, long fallbackDecisions) {
    public RateLimitStats {
        sourceRefusals = Map.copyOf(sourceRefusals);
        sourceWaits = Map.copyOf(sourceWaits);
    }

    public long totalSourceRefusals() {
        return sourceRefusals.values().stream().mapToLong(Long::longValue).sum();
    }
}
