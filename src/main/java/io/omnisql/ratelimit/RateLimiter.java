package io.omnisql.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.identity.Principal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Token-bucket rate limiting: one gateway bucket per principal (refusal = 429) and, per
 * upstream source, a bucket that every page request draws from plus a cap on requests in flight.
 * Thread-safe; each acquisition is a map lookup and a short synchronized section on one bucket.
 */
public final class RateLimiter {
    /** How far into debt {@link #chargeSource} may put a bucket: far beyond any deadline, clear of overflow. */
    private static final long CHARGE_HORIZON_NANOS = TimeUnit.DAYS.toNanos(1);
    private final NanoClock clock;
    private final Cache<String, TokenBucket> principals;
    /** Each principal's share of an upstream's requests ({@code sources.<name>.per_principal}), keyed by {@link #budgetKey}. */
    private final Cache<String, TokenBucket> budgets;
    private final ConcurrentHashMap<String, SourceGate> sources = new ConcurrentHashMap<>();
    private final LongAdder gatewayRefusals = new LongAdder();
    /** Per-replica buckets used while the shared store is unreachable (keys as in the shared store). */
    private final Cache<String, TokenBucket> fallback;
    private final LongAdder fallbackDecisions = new LongAdder();
    private volatile RateLimitSettings settings;
    private volatile SharedBuckets shared;
    /** Whether the last shared decision fell back, and since when (on the limiter's clock). */
    private volatile boolean fallingBack;
    private volatile long fallingBackSince;

    private RateLimiter(RateLimitSettings settings, NanoClock clock) {
        this.settings = settings;
        this.clock = clock;
        // A bucket idle for its fill time is full again, so forgetting it loses nothing; the size
        // cap bounds memory when more principals are active than that window can hold.
        this.principals = buckets(clock, settings.maxTrackedPrincipals());
        this.budgets = buckets(clock, settings.maxTrackedPrincipals());
        this.fallback = buckets(clock, settings.maxTrackedPrincipals());
    }

    private static Cache<String, TokenBucket> buckets(NanoClock clock, long maxSize) {
        return Caffeine.newBuilder()
                .ticker(clock::nanoTime)
                .executor(Runnable::run)
                .maximumSize(maxSize)
                .expireAfter(new Expiry<String, TokenBucket>() {
                    @Override
                    public long expireAfterCreate(String key, TokenBucket bucket, long now) {
                        return bucket.spec().fillNanos();
                    }

                    @Override
                    public long expireAfterUpdate(String key, TokenBucket bucket, long now, long remaining) {
                        return bucket.spec().fillNanos();
                    }

                    @Override
                    public long expireAfterRead(String key, TokenBucket bucket, long now, long remaining) {
                        return bucket.spec().fillNanos();
                    }
                })
                .build();
    }

    public static RateLimiter create(RateLimitSettings settings, NanoClock clock) {
        return new RateLimiter(settings, clock);
    }

    public static RateLimiter create(RateLimitSettings settings) {
        return new RateLimiter(settings, NanoClock.SYSTEM);
    }

    /**
     * Keeps the gateway and source buckets in {@code buckets} (several replicas, one limit) from now on; while it is
     * unreachable, decisions are local at the limit divided by its replica count.
     */
    public void share(SharedBuckets buckets) {
        this.shared = buckets;
    }

    /**
     * Tells every replica that {@code source}'s upstream asked for a pause of {@code millis} (quota spent,
     * Retry-After): their next requests wait for it or fail honestly. Without a shared store, nothing to tell.
     */
    public void pauseSource(String source, long millis) {
        SharedBuckets buckets = shared;
        if (buckets != null && millis > 0) {
            try {
                buckets.pause(source, millis);
            } catch (SharedStateUnavailable e) {
                // Best effort: the other replicas learn of the quota from their own next answer.
            }
        }
    }

    /** The clock that deadlines passed to {@link #acquireSource} are measured on. */
    public NanoClock clock() {
        return clock;
    }

    public RateLimitSettings settings() {
        return settings;
    }

    /**
     * Takes one token from the principal's gateway bucket (keyed by subject).
     *
     * @throws QueryException {@code RATE_LIMIT_EXHAUSTED} with detail {@code retry_after_ms}: the
     *                        whole milliseconds (rounded up) after which a retry will be granted,
     *                        provided no other request of the principal takes the token first
     */
    public void acquireGateway(Principal principal) {
        BucketSpec spec = settings.gatewaySpecFor(principal);
        long now = clock.nanoTime();
        TokenBucket.Reservation reservation = shared != null
                ? reserveShared("gw:" + principal.subject(), spec, now, now)
                : bucket(principals, principal.subject(), spec, now).reserve(now, now);
        if (!reservation.granted()) {
            gatewayRefusals.increment();
            long retryAfterMs = ceilMillis(reservation.waitNanos());
            throw new QueryException(ErrorCode.RATE_LIMIT_EXHAUSTED,
                    "rate limit exceeded for '" + principal.subject() + "' (" + spec.burst() + " burst, "
                            + spec.refillPerSecond() + "/s); retry after " + retryAfterMs + " ms",
                    Map.of("retry_after_ms", retryAfterMs));
        }
    }

    /**
     * One token of the shared bucket {@code key}, available by {@code latest}; when the store cannot answer, one of
     * this replica's fallback bucket at the limit divided by the replica count. A fallback bucket is taken as
     * empty when the store stopped answering (the replica cannot know what the fleet had spent) and fills from
     * then on: that never lets more through than the fleet's bucket would have. Idle for its fill time, it is full
     * and forgotten, as it would be if created then.
     */
    private TokenBucket.Reservation reserveShared(String key, BucketSpec spec, long now, long latest) {
        SharedBuckets buckets = shared;
        try {
            SharedBuckets.Decision d = buckets.take(key, spec, Math.max(0, latest - now));
            if (fallingBack) {
                fallingBack = false;
                fallback.invalidateAll();
            }
            return new TokenBucket.Reservation(d.granted(), d.waitNanos());
        } catch (SharedStateUnavailable e) {
            if (!fallingBack) {
                fallingBackSince = now;
                fallingBack = true;
            }
            fallbackDecisions.increment();
            BucketSpec local = spec.perReplica(buckets.replicas());
            long since = fallingBackSince;
            TokenBucket bucket = fallback.asMap().compute(key, (k, old) -> old == null ? TokenBucket.emptyAt(local, since)
                    : old.spec().equals(local) ? old : old.reshaped(local, now));
            return bucket.reserve(now, latest);
        }
    }

    /**
     * The bucket under {@code key} shaped as {@code spec}: created full, or re-shaped keeping its level when the
     * settings (or a principal's roles) changed. A token taken concurrently from a replaced bucket is not
     * carried over; that slack is bounded by requests in flight.
     */
    private static TokenBucket bucket(Cache<String, TokenBucket> cache, String key, BucketSpec spec, long now) {
        TokenBucket bucket = cache.get(key, k -> TokenBucket.full(spec, now));
        if (!bucket.spec().equals(spec)) {
            bucket = cache.asMap().compute(key, (k, old) ->
                    old == null ? TokenBucket.full(spec, now) : old.spec().equals(spec) ? old : old.reshaped(spec, now));
        }
        return bucket;
    }

    private static String budgetKey(String source, String subject) {
        return source + '\n' + subject;
    }

    /**
     * Charges one upstream request of {@code source} to {@code subject}'s share of it
     * ({@code sources.<name>.per_principal}); nothing when the source has no per-principal budget.
     *
     * @throws QueryException RATE_LIMIT_EXHAUSTED with details {@code source}, {@code limit} =
     *                        {@code principal_budget} and {@code retry_after_ms}
     */
    public void chargeBudget(String source, String subject) {
        BucketSpec spec = settings.sourceLimit(source).perPrincipal();
        if (spec == null) {
            return;
        }
        long now = clock.nanoTime();
        // A principal's share of an upstream is the fleet's too: in the shared store when there is one.
        TokenBucket.Reservation reservation = shared != null
                ? reserveShared("budget:" + source + ":" + subject, spec, now, now)
                : bucket(budgets, budgetKey(source, subject), spec, now).reserve(now, now);
        if (!reservation.granted()) {
            long retryAfterMs = ceilMillis(reservation.waitNanos());
            throw new QueryException(ErrorCode.RATE_LIMIT_EXHAUSTED, "'" + subject + "' has spent its share of source '"
                    + source + "' (" + spec.burst() + " requests, " + spec.refillPerSecond() + "/s); retry after "
                    + retryAfterMs + " ms", Map.of("source", source, "limit", "principal_budget", "retry_after_ms", retryAfterMs));
        }
    }

    /** Upstream requests of {@code source} that {@code subject} may still make now, or -1 when unlimited per principal. */
    public long budgetLeft(String source, String subject) {
        BucketSpec spec = settings.sourceLimit(source).perPrincipal();
        if (spec == null) {
            return -1;
        }
        if (shared != null) {
            return sharedAvailable("budget:" + source + ":" + subject, spec);
        }
        TokenBucket bucket = budgets.policy().getIfPresentQuietly(budgetKey(source, subject));
        return bucket == null || !bucket.spec().equals(spec) ? Math.min(spec.burst(),
                bucket == null ? spec.burst() : bucket.available(clock.nanoTime())) : bucket.available(clock.nanoTime());
    }

    /** Whole tokens in {@code source}'s shared bucket now (the budget every principal draws from). */
    public long sourceTokensLeft(String source) {
        if (shared != null) {
            return sharedAvailable("src:" + source, settings.sourceLimit(source).bucket());
        }
        return gate(source).bucket().available(clock.nanoTime());
    }

    /** Tokens of a shared bucket; while the store cannot answer, this replica's fallback bucket's (or none). */
    private long sharedAvailable(String key, BucketSpec spec) {
        try {
            return shared.available(key, spec);
        } catch (SharedStateUnavailable e) {
            TokenBucket bucket = fallback.policy().getIfPresentQuietly(key);
            return bucket == null ? 0 : bucket.available(clock.nanoTime());
        }
    }

    /**
     * Admits one upstream page request of {@code source}: waits for a concurrency slot, then
     * takes a token, sleeping for a refill when the token is available by {@code deadlineNanos}.
     * Cache hits must not call this. A token reserved before an interrupt is not returned.
     *
     * @param deadlineNanos the query's deadline on {@link #clock()} ({@code System.nanoTime()} in production)
     * @throws QueryException       {@code RATE_LIMIT_EXHAUSTED} with details {@code source},
     *                              {@code limit} ({@code rate} or {@code concurrency}) and, for
     *                              {@code rate}, {@code retry_after_ms}; for {@code concurrency},
     *                              {@code max_concurrency}
     * @throws InterruptedException when the calling thread is interrupted while waiting
     */
    public SourcePermit acquireSource(String source, long deadlineNanos) throws InterruptedException {
        SourceGate gate = gate(source);
        acquireSlot(gate, source, deadlineNanos);
        boolean admitted = false;
        try {
            long now = clock.nanoTime();
            TokenBucket.Reservation reservation = shared != null
                    ? reserveShared("src:" + source, gate.limit().bucket(), now, deadlineNanos)
                    : gate.bucket().reserve(now, deadlineNanos);
            if (!reservation.granted()) {
                gate.refusals.increment();
                long retryAfterMs = ceilMillis(reservation.waitNanos());
                throw new QueryException(ErrorCode.RATE_LIMIT_EXHAUSTED,
                        "source '" + source + "' rate limit exhausted: next request allowed in " + retryAfterMs
                                + " ms, after the query's deadline",
                        Map.of("source", source, "limit", "rate", "retry_after_ms", retryAfterMs));
            }
            if (reservation.waitNanos() > 0) {
                gate.waits.increment();
                clock.sleepNanos(reservation.waitNanos());
            }
            admitted = true;
            return new SourcePermit(gate.slots, reservation.waitNanos());
        } finally {
            if (!admitted) {
                gate.slots.release();
            }
        }
    }

    /**
     * Admits one upstream request that the source does not count against its quota when it is answered 304 (a
     * conditional request to a source declaring {@code conditional_requests: free}): a concurrency slot only, no
     * token ({@link SourcePermit#tokenTaken()} false). When the answer turns out to be charged after all, the
     * caller pays with {@link #chargeSource}. With buckets shared by a fleet the token is taken as by
     * {@link #acquireSource}: the fleet's pause of a source (its quota spent) lives in the shared bucket, and a
     * revalidation must honour it too.
     *
     * @throws QueryException       {@code RATE_LIMIT_EXHAUSTED} as for {@link #acquireSource}
     * @throws InterruptedException when the calling thread is interrupted while waiting
     */
    public SourcePermit acquireRevalidation(String source, long deadlineNanos) throws InterruptedException {
        if (shared != null) {
            return acquireSource(source, deadlineNanos);
        }
        SourceGate gate = gate(source);
        acquireSlot(gate, source, deadlineNanos);
        return new SourcePermit(gate.slots, 0, false);
    }

    /**
     * Takes the token of a request already answered (a conditional request that came back 200): the upstream
     * counted it, so the bucket does too, going into debt when empty so that the next requests wait for it.
     */
    public void chargeSource(String source) {
        SourceGate gate = gate(source);
        long now = clock.nanoTime();
        if (shared != null) {
            reserveShared("src:" + source, gate.limit().bucket(), now, now + CHARGE_HORIZON_NANOS);
        } else {
            gate.bucket().reserve(now, now + CHARGE_HORIZON_NANOS);
        }
    }

    private void acquireSlot(SourceGate gate, String source, long deadlineNanos) throws InterruptedException {
        if (!gate.slots.tryAcquire()) {
            long remaining = deadlineNanos - clock.nanoTime();
            if (remaining <= 0 || !gate.slots.tryAcquire(remaining, TimeUnit.NANOSECONDS)) {
                gate.refusals.increment();
                int cap = gate.limit().maxConcurrency();
                throw new QueryException(ErrorCode.RATE_LIMIT_EXHAUSTED,
                        "source '" + source + "' had all " + cap + " request slots busy until the query's deadline",
                        Map.of("source", source, "limit", "concurrency", "max_concurrency", cap));
            }
        }
    }

    /**
     * Adopts new settings. Buckets whose spec is unchanged keep their level; changed ones are
     * re-created keeping their level capped at the new burst (applied on their next use);
     * source concurrency caps resize in place, with requests already in flight counted.
     */
    public void update(RateLimitSettings next) {
        settings = next;
        principals.policy().eviction().ifPresent(eviction -> eviction.setMaximum(next.maxTrackedPrincipals()));
        budgets.policy().eviction().ifPresent(eviction -> eviction.setMaximum(next.maxTrackedPrincipals()));
        long now = clock.nanoTime();
        sources.forEach((name, gate) -> gate.reconfigure(next.sourceLimit(name), now));
    }

    public RateLimitStats stats() {
        Map<String, Long> refusals = new TreeMap<>();
        Map<String, Long> waits = new TreeMap<>();
        sources.forEach((name, gate) -> {
            refusals.put(name, gate.refusals.sum());
            waits.put(name, gate.waits.sum());
        });
        return new RateLimitStats(gatewayRefusals.sum(), refusals, waits, principals.estimatedSize(),
                fallbackDecisions.sum());
    }

    /** The {@code Retry-After} header value (whole seconds, rounded up) for a {@code retry_after_ms} detail. */
    public static long retryAfterSeconds(long retryAfterMs) {
        return Math.max(1, Math.ceilDiv(retryAfterMs, 1000L));
    }

    /** Removes expired principal buckets now rather than during later accesses (tests, diagnostics). */
    void cleanUp() {
        principals.cleanUp();
    }

    /** Whole tokens left in the principal's gateway bucket, or the full burst when it is not tracked. */
    long gatewayTokens(Principal principal) {
        TokenBucket bucket = principals.policy().getIfPresentQuietly(principal.subject());
        long now = clock.nanoTime();
        return bucket != null ? bucket.available(now) : settings.gatewaySpecFor(principal).burst();
    }

    private SourceGate gate(String source) {
        SourceGate gate = sources.computeIfAbsent(source,
                name -> new SourceGate(settings.sourceLimit(name), clock.nanoTime()));
        SourceLimit current = settings.sourceLimit(source);
        if (!gate.limit().equals(current)) {
            // Created from settings an update() raced with; adopt the current ones.
            gate.reconfigure(current, clock.nanoTime());
        }
        return gate;
    }

    private static long ceilMillis(long nanos) {
        return Math.ceilDiv(nanos, 1_000_000L);
    }
}
