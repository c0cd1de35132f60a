package io.omnisql.ratelimit;

import java.util.concurrent.TimeUnit;

/**
 * Monotonic time and sleeping for the rate limiter. Buckets run on nanoseconds so refill
 * arithmetic is exact integers; tests inject a manual clock whose sleep advances time.
 */
public interface NanoClock {
    /** The production clock: {@link System#nanoTime()} and a real, interruptible sleep. */
    NanoClock SYSTEM = new NanoClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleepNanos(long nanos) throws InterruptedException {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
    };

    long nanoTime();

    /** Blocks the calling thread for {@code nanos}; a virtual thread unmounts meanwhile. */
    void sleepNanos(long nanos) throws InterruptedException;
}
