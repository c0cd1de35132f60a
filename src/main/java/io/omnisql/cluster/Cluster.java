package io.omnisql.cluster;

import io.omnisql.connector.FleetPages;
import io.omnisql.ratelimit.RunningQueries;
import io.omnisql.ratelimit.SharedBuckets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * This replica's membership in a fleet: the Redis-backed gateway and source buckets, the running-query caps, the
 * shared upstream pages,
 * and what /health, metrics and answers say about them. Starting never fails on an unreachable Redis: the replica
 * serves in degraded mode (its own buckets at 1/replicas of the limits, its own cache) and joins when Redis answers.
 */
public final class Cluster implements AutoCloseable {
    private final ClusterSettings settings;
    private final RedisLink link;
    private final RedisBuckets buckets;
    private final RedisPages pages;
    private final RedisRunningQueries running;

    private Cluster(ClusterSettings settings) {
        this.settings = settings;
        this.link = new RedisLink(settings);
        this.buckets = new RedisBuckets(link);
        this.pages = new RedisPages(link);
        this.running = new RedisRunningQueries(link, RedisRunningQueries.LEASE_MS);
    }

    /** The fleet of {@code settings}, or empty when no Redis is configured (a gateway on its own). */
    public static Optional<Cluster> join(ClusterSettings settings) {
        return settings.enabled() ? Optional.of(new Cluster(settings)) : Optional.empty();
    }

    public SharedBuckets buckets() {
        return buckets;
    }

    public FleetPages pages() {
        return pages;
    }

    /** Each principal's running queries counted for the whole fleet (its {@code max_running_queries}). */
    public RunningQueries runningQueries() {
        return running;
    }

    public ClusterSettings settings() {
        return settings;
    }

    public boolean redisUp() {
        return link.up();
    }

    /** Commands that failed or were not tried because Redis was down, since start. */
    public long redisFailures() {
        return link.failures();
    }

    /** Pages by how they were served: shared (found in Redis), waited (another replica's fetch), fetched, local. */
    public Map<String, Long> pageCounts() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (RedisPages.Outcome o : RedisPages.Outcome.values()) {
            out.put(o.name().toLowerCase(java.util.Locale.ROOT), pages.count(o));
        }
        return out;
    }

    /** What every answer says while the replica decides alone. */
    public List<String> warnings() {
        return link.up() ? List.of() : List.of("cluster: shared state (Redis) unreachable; this replica enforces 1/"
                + settings.replicas() + " of the fleet's rate limits on its own and serves from its local cache");
    }

    /** The {@code cluster} object of /health. */
    public Map<String, Object> health() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mode", "fleet");
        out.put("redis", settings.redactedRedis());
        out.put("redis_state", link.up() ? "up" : "down");
        out.put("replicas", settings.replicas());
        if (link.up() && link.lastPingMs() >= 0) {
            out.put("redis_ping_ms", Math.round(link.lastPingMs() * 1000) / 1000.0);
        }
        if (!link.up()) {
            out.put("redis_error", link.lastError());
            out.put("degraded", "limits at 1/" + settings.replicas() + " per replica, local cache only");
        }
        return out;
    }

    @Override
    public void close() {
        running.close();
        link.close();
    }
}
