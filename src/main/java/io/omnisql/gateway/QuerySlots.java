package io.omnisql.gateway;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The cap on queries fetching and executing at once ({@code defaults.max_concurrent_queries}). Waiters are
 * served first come, first served for up to {@code queue_timeout_ms}; the cap follows configuration reloads,
 * a shrink draining through queries already running rather than cutting them off.
 */
final class QuerySlots {
    /** How long an overloaded caller is told to wait: a slot frees when any running query ends. */
    static final long RETRY_AFTER_MS = 1000;

    private static final class Fair extends Semaphore {
        Fair(int permits) {
            super(permits, true);
        }

        void shrink(int by) {
            reducePermits(by);
        }
    }

    private final Fair permits;
    private int capacity;

    QuerySlots(int capacity) {
        this.capacity = capacity;
        this.permits = new Fair(capacity);
    }

    /** A held slot; closing it frees the slot for the next waiter. */
    interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes a slot, waiting up to {@code queueTimeoutMs}.
     *
     * @throws QueryException OVERLOADED (503, detail {@code retry_after_ms}) when no slot frees in time
     */
    Slot acquire(int capacityNow, long queueTimeoutMs) {
        resize(capacityNow);
        try {
            if (!permits.tryAcquire(queueTimeoutMs, TimeUnit.MILLISECONDS)) {
                throw new QueryException(ErrorCode.OVERLOADED, "the gateway is running its maximum of " + capacityNow
                        + " queries and none finished within " + queueTimeoutMs + " ms; retry shortly",
                        Map.of("max_concurrent_queries", capacityNow, "retry_after_ms", RETRY_AFTER_MS));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueryException(ErrorCode.QUERY_TIMEOUT, "query cancelled while queued");
        }
        return permits::release;
    }

    private synchronized void resize(int next) {
        if (next > capacity) {
            permits.release(next - capacity);
        } else if (next < capacity) {
            permits.shrink(capacity - next);
        }
        capacity = next;
    }
}
