package io.omnisql.cluster;

import io.omnisql.ratelimit.BucketSpec;
import io.omnisql.ratelimit.SharedBuckets;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Token buckets in Redis, one key per bucket, decided by a Lua script in one round trip. The bucket is kept as
 * the virtual instant at which it was empty (GCRA, as the local buckets), in microseconds of Redis's own clock
 * ({@code TIME}), so replicas with skewed clocks still share one exact bucket. A key expires when its bucket
 * would be full again, so idle principals cost no memory and an expired key means "full", which is true.
 */
final class RedisBuckets implements SharedBuckets {
    /**
     * KEYS: bucket, pause. ARGV: interval (µs, may be fractional), burst, longest acceptable wait (µs).
     * Returns {granted 0|1, wait µs}. Numbers are formatted with %.0f: Lua's default %.14g would round
     * microsecond timestamps.
     */
    private static final RedisLink.Script TAKE = RedisLink.Script.of("bucket", """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local interval = tonumber(ARGV[1])
            local fill = interval * tonumber(ARGV[2])
            local maxWait = tonumber(ARGV[3])
            local emptyAt = tonumber(redis.call('GET', KEYS[1]) or '0')
            local ready = math.max(emptyAt, now - fill) + interval
            local pausedUntil = tonumber(redis.call('GET', KEYS[2]) or '0')
            if pausedUntil > ready then
              ready = pausedUntil
            end
            local wait = ready - now
            if wait > maxWait then
              return {0, math.ceil(wait)}
            end
            redis.call('SET', KEYS[1], string.format('%.0f', ready), 'PX', math.ceil((ready + fill - now) / 1000) + 1)
            return {1, math.max(0, math.ceil(wait))}
            """);
    /** KEYS: bucket, pause. ARGV: interval (µs), burst. Whole tokens available now (0 while paused); takes none. */
    private static final RedisLink.Script PEEK = RedisLink.Script.of("bucket peek", """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local interval = tonumber(ARGV[1])
            local burst = tonumber(ARGV[2])
            if tonumber(redis.call('GET', KEYS[2]) or '0') > now then
              return {0}
            end
            local emptyAt = tonumber(redis.call('GET', KEYS[1]) or '0')
            return {math.min(burst, math.floor((now - math.max(emptyAt, now - interval * burst)) / interval))}
            """);
    /** KEYS: pause. ARGV: milliseconds. Extends a pause, never shortens one. */
    private static final RedisLink.Script PAUSE = RedisLink.Script.of("pause", """
            local t = redis.call('TIME')
            local untilUs = tonumber(t[1]) * 1000000 + tonumber(t[2]) + tonumber(ARGV[1]) * 1000
            local current = tonumber(redis.call('GET', KEYS[1]) or '0')
            if untilUs > current then
              redis.call('SET', KEYS[1], string.format('%.0f', untilUs), 'PX', ARGV[1])
            end
            return {1}
            """);

    private final RedisLink link;
    private final String prefix;
    private final int replicas;

    RedisBuckets(RedisLink link) {
        this.link = link;
        this.prefix = link.settings().keyPrefix();
        this.replicas = link.settings().replicas();
    }

    @Override
    public Decision take(String key, BucketSpec spec, long maxWaitNanos) {
        byte[][] keys = {key(key, "b"), key(key, "p")};
        List<Object> r = link.run(TAKE, keys, num(1e6 / spec.refillPerSecond()), num(spec.burst()),
                num(Math.floorDiv(maxWaitNanos, 1_000L)));
        return new Decision(((Long) r.get(0)) == 1L, ((Long) r.get(1)) * 1_000L);
    }

    @Override
    public long available(String key, BucketSpec spec) {
        List<Object> r = link.run(PEEK, new byte[][] {key(key, "b"), key(key, "p")},
                num(1e6 / spec.refillPerSecond()), num(spec.burst()));
        return (Long) r.get(0);
    }

    @Override
    public void pause(String source, long millis) {
        link.run(PAUSE, new byte[][] {key("src:" + source, "p")}, num(millis));
    }

    @Override
    public int replicas() {
        return replicas;
    }

    /** {@code prefix:{bucket}:kind}: the braces keep a bucket's keys in one Redis Cluster slot. */
    private byte[] key(String bucket, String kind) {
        return (prefix + ":{" + URLEncoder.encode(bucket, StandardCharsets.UTF_8) + "}:" + kind)
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] num(double value) {
        return (value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : Double.toString(value)).getBytes(StandardCharsets.UTF_8);
    }
}
