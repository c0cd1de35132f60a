package io.omnisql.exec;

/**
 * What the engine knows of a statement besides its SQL, to schedule it.
 *
 * @param tenant    whose statement it is (the principal's subject): waiters of a lane are served round-robin
 *                  across tenants
 * @param shape     the statement's shape (its text with tables as placeholders): how long this shape last
 *                  ran decides its lane before the estimate does
 * @param inputRows rows of each table the statement reads (a join's work is estimated as their product)
 * @param listener  told when the statement leaves the queue for a lane
 */
public record Job(String tenant, String shape, java.util.List<Long> inputRows, Listener listener) {
    /** Told when a statement starts on a lane, after {@code queuedNanos} waiting for a slot. */
    public interface Listener {
        Listener NONE = (lane, queuedNanos) -> {
        };

        void started(Lane lane, long queuedNanos);
    }

    public Job {
        inputRows = java.util.List.copyOf(inputRows);
    }

    /** A statement nobody in particular asked for (tests, tools): scheduled by its SQL alone. */
    static Job anonymous(String sql) {
        return new Job("", sql, java.util.List.of(), Listener.NONE);
    }

    /** The estimated work: the product of the input row counts (a join without a usable key is that bad). */
    long estimatedRows() {
        long product = 1;
        for (long rows : inputRows) {
            try {
                product = Math.multiplyExact(product, Math.max(0, rows));
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        return product;
    }
}
