package io.omnisql.ratelimit;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;

/** One upstream source's bucket and concurrency slots, re-shaped in place when its limit changes. */
final class SourceGate {
    /** A semaphore whose capacity can shrink while permits are out (they drain before new grants). */
    static final class Slots extends Semaphore {
        Slots(int permits) {
            super(permits, true);
        }

        void resize(int from, int to) {
            if (to > from) {
                release(to - from);
            } else if (to < from) {
                reducePermits(from - to);
            }
        }
    }

    final Slots slots;
    final LongAdder refusals = new LongAdder();
    final LongAdder waits = new LongAdder();
    private volatile SourceLimit limit;
    private volatile TokenBucket bucket;

    SourceGate(SourceLimit limit, long now) {
        this.limit = limit;
        this.bucket = TokenBucket.full(limit.bucket(), now);
        this.slots = new Slots(limit.maxConcurrency());
    }

    SourceLimit limit() {
        return limit;
    }

    TokenBucket bucket() {
        return bucket;
    }

    /** Adopts {@code next}: keeps the bucket when its spec is unchanged, resizes the slots. */
    synchronized void reconfigure(SourceLimit next, long now) {
        SourceLimit current = limit;
        if (current.equals(next)) {
            return;
        }
        if (!current.bucket().equals(next.bucket())) {
            bucket = bucket.reshaped(next.bucket(), now);
        }
        slots.resize(current.maxConcurrency(), next.maxConcurrency());
        limit = next;
    }
}
