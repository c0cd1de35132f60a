package io.omnisql.ratelimit;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The right to send one upstream request: the token is already spent; closing the permit
 * frees the source's concurrency slot (idempotent). Hold it for the duration of the request.
 */
public final class SourcePermit implements AutoCloseable {
    private final Semaphore slots;
    private final long waitedNanos;
    private final boolean tokenTaken;
    private final AtomicBoolean closed = new AtomicBoolean();

    SourcePermit(Semaphore slots, long waitedNanos) {
        this(slots, waitedNanos, true);
    }

    SourcePermit(Semaphore slots, long waitedNanos, boolean tokenTaken) {
        this.slots = slots;
        this.waitedNanos = waitedNanos;
        this.tokenTaken = tokenTaken;
    }

    /** False for a revalidation admitted without a token (see {@link RateLimiter#acquireRevalidation}). */
    public boolean tokenTaken() {
        return tokenTaken;
    }

    /** How long the caller slept for a token (0 when one was available), for spans and metadata. */
    public long waitedNanos() {
        return waitedNanos;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            slots.release();
        }
    }
}
