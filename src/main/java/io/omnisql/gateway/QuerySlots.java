package io.omnisql.gateway;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.exec.FairPermits;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The cap on queries fetching upstream at once ({@code defaults.max_concurrent_queries}). Waiters are served
 * round-robin across principals, first come first served within one, for up to {@code queue_timeout_ms}; the
 * cap follows configuration reloads, a shrink draining through queries already running rather than cutting
 * them off.
 */
final class QuerySlots {
    /** How long an overloaded caller is told to wait: a slot frees when any running query ends. */
    static final long RETRY_AFTER_MS = 1000;

    private final FairPermits permits;

    QuerySlots(int capacity) {
        this.permits = new FairPermits(capacity);
    }

    /** A held slot; closing it frees the slot for the next waiter. */
    interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes a slot for {@code subject}, waiting up to {@code queueTimeoutMs}.
     *
     * @throws QueryException OVERLOADED (503, detail {@code retry_after_ms}) when no slot frees in time
     */
    Slot acquire(String subject, int capacityNow, long queueTimeoutMs) {
        if (permits.capacity() != capacityNow) {
            permits.resize(capacityNow);
        }
        try {
            if (!permits.acquire(subject, TimeUnit.MILLISECONDS.toNanos(queueTimeoutMs))) {
                throw new QueryException(ErrorCode.OVERLOADED, "the gateway is running its maximum of " + capacityNow
                        + " queries and none finished within " + queueTimeoutMs + " ms; retry shortly",
                        Map.of("max_concurrent_queries", capacityNow, "retry_after_ms", RETRY_AFTER_MS));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueryException(ErrorCode.QUERY_CANCELLED, "query cancelled while queued");
        }
        boolean[] closed = {false};
        return () -> {
            synchronized (closed) {
                if (closed[0]) {
                    return;
                }
                closed[0] = true;
            }
            permits.release();
        };
    }
}
