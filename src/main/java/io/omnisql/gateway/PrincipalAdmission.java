package io.omnisql.gateway;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.ratelimit.RunningQueries;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The cap on a principal's queries running at once ({@code max_running_queries}): a query over it waits up to
 * {@code queue_wait_ms} for one of them to end, then is refused with 429 RATE_LIMIT_EXHAUSTED. The count lives
 * in a {@link RunningQueries} ledger (in process, or shared by a cluster); the wait polls it, woken early by
 * local releases.
 */
final class PrincipalAdmission {
    /** How often a waiter re-asks the ledger: releases on other nodes wake nobody here. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private final RunningQueries ledger;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    /** Deadlines of each subject's queries running here: the latest moment a slot is sure to be free. */
    private final Map<String, PriorityQueue<Long>> deadlines = new ConcurrentHashMap<>();

    PrincipalAdmission(RunningQueries ledger) {
        this.ledger = ledger;
    }

    /** A held claim; closing it frees the principal's slot once. */
    interface Claim extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Claims one of {@code subject}'s {@code cap} running slots for a query ending by {@code deadlineNanos}.
     *
     * @throws QueryException RATE_LIMIT_EXHAUSTED with {@code retry_after_ms} (when the earliest of the running
     *                        queries' deadlines passes, a slot is free: an upper bound, never a guess) and
     *                        {@code max_running_queries}; QUERY_CANCELLED when interrupted while waiting
     */
    Claim admit(String subject, int cap, long waitMs, long deadlineNanos) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        while (!ledger.tryClaim(subject, cap)) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                throw refused(subject, cap, waitMs);
            }
            lock.lock();
            try {
                released.awaitNanos(Math.min(left, POLL_NANOS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QueryException(ErrorCode.QUERY_CANCELLED, "query cancelled while waiting for a running slot");
            } finally {
                lock.unlock();
            }
        }
        synchronized (this) {
            deadlines.computeIfAbsent(subject, s -> new PriorityQueue<>()).add(deadlineNanos);
        }
        boolean[] closed = {false};
        return () -> {
            synchronized (this) {
                if (closed[0]) {
                    return;
                }
                closed[0] = true;
                PriorityQueue<Long> mine = deadlines.get(subject);
                mine.remove(deadlineNanos);
                if (mine.isEmpty()) {
                    deadlines.remove(subject);
                }
            }
            ledger.release(subject);
            lock.lock();
            try {
                released.signalAll();
            } finally {
                lock.unlock();
            }
        };
    }

    private QueryException refused(String subject, int cap, long waitMs) {
        long retryMs;
        synchronized (this) {
            PriorityQueue<Long> mine = deadlines.get(subject);
            // Running on other nodes only: the wait we just spent is all we know.
            retryMs = mine == null || mine.isEmpty() ? Math.max(1, waitMs)
                    : Math.max(1, Math.ceilDiv(mine.peek() - System.nanoTime(), 1_000_000L));
        }
        return new QueryException(ErrorCode.RATE_LIMIT_EXHAUSTED, "'" + subject + "' already runs its maximum of "
                + cap + " queries at once (max_running_queries) and none ended within " + waitMs
                + " ms; a slot is free within " + retryMs + " ms at the latest",
                Map.of("retry_after_ms", retryMs, "max_running_queries", cap, "limit", "running_queries"));
    }
}
