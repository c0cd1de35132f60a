package io.omnisql.ratelimit;

/**
 * A token bucket kept as one timestamp (a form of GCRA): {@code emptyAt} is the virtual instant
 * at which the bucket held zero tokens, so at {@code now} it holds
 * {@code min(burst, (now - emptyAt) / interval)} tokens. Taking a token moves {@code emptyAt}
 * forward by one interval. Integer nanoseconds make refill exact, so an advertised wait is
 * honest to the nanosecond; the critical section is a few arithmetic operations.
 */
final class TokenBucket {
    /** Outcome of {@link #reserve}: granted after {@code waitNanos} (0 = now), or refused. */
    record Reservation(boolean granted, long waitNanos) {
    }

    private final BucketSpec spec;
    private final long intervalNanos;
    private final long fillNanos;
    private long emptyAt;

    private TokenBucket(BucketSpec spec, long emptyAt) {
        this.spec = spec;
        this.intervalNanos = spec.intervalNanos();
        this.fillNanos = spec.fillNanos();
        this.emptyAt = emptyAt;
    }

    static TokenBucket full(BucketSpec spec, long now) {
        return new TokenBucket(spec, now - spec.fillNanos());
    }

    /** A bucket that held no token at {@code at} and has been filling at the spec's rate since. */
    static TokenBucket emptyAt(BucketSpec spec, long at) {
        return new TokenBucket(spec, at);
    }

    /**
     * A bucket of a changed spec that keeps this bucket's current level, capped at the new burst.
     * Reserved (future) tokens carry over as a debt.
     */
    TokenBucket reshaped(BucketSpec newSpec, long now) {
        double level;
        synchronized (this) {
            level = Math.min(spec.burst(), (now - emptyAt) / (double) intervalNanos);
        }
        double kept = Math.min(level, newSpec.burst());
        return new TokenBucket(newSpec, now - Math.round(kept * newSpec.intervalNanos()));
    }

    BucketSpec spec() {
        return spec;
    }

    /**
     * Takes one token if it is available no later than {@code latest}: immediately when
     * {@code latest <= now}, otherwise possibly in the future (the caller sleeps {@code waitNanos};
     * later callers queue behind the reservation). A refusal's {@code waitNanos} is the time until
     * a token will be available.
     */
    synchronized Reservation reserve(long now, long latest) {
        long base = Math.max(emptyAt, now - fillNanos);
        long readyAt = base + intervalNanos;
        long wait = readyAt - now;
        if (readyAt - Math.max(now, latest) > 0) {
            return new Reservation(false, wait);
        }
        emptyAt = readyAt;
        return new Reservation(true, Math.max(0, wait));
    }

    /** Whole tokens available at {@code now} (for tests and diagnostics). */
    synchronized long available(long now) {
        return Math.max(0, Math.min(spec.burst(), (now - emptyAt) / intervalNanos));
    }
}
