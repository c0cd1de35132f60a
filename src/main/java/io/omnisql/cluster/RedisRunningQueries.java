package io.omnisql.cluster;

import io.omnisql.ratelimit.RunningQueries;
import io.omnisql.ratelimit.SharedStateUnavailable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Per-principal running-query caps for a fleet: each principal's running queries are a Redis sorted set of
 * claims scored by their expiry (Redis time, ms), a counting lease. A replica renews its claims while their
 * queries run, so the claims of a replica that crashed lapse within the lease ({@link #LEASE_MS} in
 * production). One script per claim, one per release. While Redis is unreachable, a replica admits at most
 * cap / replicas (at least one) of a principal's queries on its own ledger; claims taken there are released
 * there.
 */
final class RedisRunningQueries implements RunningQueries, AutoCloseable {
    static final long LEASE_MS = 30_000;
    /** KEYS: set. ARGV: cap, claim id, lease ms. Drops lapsed claims, then claims when fewer than cap remain. */
    private static final RedisLink.Script CLAIM = RedisLink.Script.of("running claim", """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
              return {0}
            end
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return {1}
            """);
    /** KEYS: set. ARGV: lease ms, claim ids... Extends the claims still there. */
    private static final RedisLink.Script RENEW = RedisLink.Script.of("running renew", """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            for i = 2, #ARGV do
              redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i])
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            return {1}
            """);
    /** KEYS: set. ARGV: claim id. */
    private static final RedisLink.Script RELEASE = RedisLink.Script.of("running release", """
            redis.call('ZREM', KEYS[1], ARGV[1])
            return {1}
            """);
    /** KEYS: set. Claims not lapsed. */
    private static final RedisLink.Script COUNT = RedisLink.Script.of("running count", """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            return {redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')}
            """);
    private static final String LOCAL = "";

    private final RedisLink link;
    private final String prefix;
    private final int replicas;
    private final RunningQueries local = RunningQueries.local();
    /** This replica's claims per subject: Redis claim ids, or LOCAL for a claim on the local ledger. */
    private final ConcurrentHashMap<String, Deque<String>> held = new ConcurrentHashMap<>();
    private final long leaseMs;
    private final ScheduledExecutorService renewer;

    RedisRunningQueries(RedisLink link, long leaseMs) {
        this.link = link;
        this.prefix = link.settings().keyPrefix();
        this.replicas = link.settings().replicas();
        this.leaseMs = leaseMs;
        this.renewer = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("omnisql-claims").factory());
        renewer.scheduleWithFixedDelay(this::renew, leaseMs / 3, leaseMs / 3, TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean tryClaim(String subject, int cap) {
        String id = UUID.randomUUID().toString();
        try {
            List<Object> r = link.run(CLAIM, new byte[][] {key(subject)}, bytes(Integer.toString(cap)), bytes(id),
                    bytes(Long.toString(leaseMs)));
            if ((Long) r.get(0) != 1L) {
                return false;
            }
            hold(subject, id);
            return true;
        } catch (SharedStateUnavailable e) {
            if (!local.tryClaim(subject, Math.max(1, cap / replicas))) {
                return false;
            }
            hold(subject, LOCAL);
            return true;
        }
    }

    @Override
    public void release(String subject) {
        String id;
        synchronized (held) {
            Deque<String> ids = held.get(subject);
            if (ids == null || ids.isEmpty()) {
                return;
            }
            id = ids.pop();
            if (ids.isEmpty()) {
                held.remove(subject);
            }
        }
        if (id.equals(LOCAL)) {
            local.release(subject);
            return;
        }
        try {
            link.run(RELEASE, new byte[][] {key(subject)}, bytes(id));
        } catch (SharedStateUnavailable e) {
            // The claim lapses by itself within the lease.
        }
    }

    @Override
    public int running(String subject) {
        try {
            return ((Long) link.run(COUNT, new byte[][] {key(subject)}).get(0)).intValue();
        } catch (SharedStateUnavailable e) {
            return local.running(subject);
        }
    }

    private void hold(String subject, String id) {
        synchronized (held) {
            held.computeIfAbsent(subject, s -> new ArrayDeque<>()).push(id);
        }
    }

    /** Extends every Redis claim this replica holds (its queries are still running). */
    private void renew() {
        Map<String, List<String>> snapshot = new HashMap<>();
        synchronized (held) {
            held.forEach((subject, ids) -> snapshot.put(subject,
                    ids.stream().filter(id -> !id.equals(LOCAL)).toList()));
        }
        snapshot.forEach((subject, ids) -> {
            if (ids.isEmpty()) {
                return;
            }
            List<byte[]> args = new ArrayList<>();
            args.add(bytes(Long.toString(leaseMs)));
            ids.forEach(id -> args.add(bytes(id)));
            try {
                link.run(RENEW, new byte[][] {key(subject)}, args.toArray(byte[][]::new));
            } catch (SharedStateUnavailable e) {
                // Renewed at the next round, or lapsed: a lapsed claim only lets the principal one more query.
            }
        });
    }

    private byte[] key(String subject) {
        return (prefix + ":{run:" + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "}:q").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        renewer.shutdownNow();
    }
}
