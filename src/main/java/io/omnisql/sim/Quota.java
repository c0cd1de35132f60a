package io.omnisql.sim;

import java.time.InstantSource;

/** A fixed-window request quota (the primary rate limit); the window starts with its first request. */
final class Quota {

    record Snapshot(int limit, int remaining, int used, long resetEpochSecond) {
    }

    private final InstantSource clock;
    private final int limit;
    private final int windowS;
    private long windowEnd = Long.MIN_VALUE;
    private int used;

    Quota(InstantSource clock, int limit, int windowS) {
        this.clock = clock;
        this.limit = limit;
        this.windowS = windowS;
    }

    boolean enabled() {
        return limit > 0;
    }

    /** Takes one request from the quota; false (and nothing taken) when it is used up. */
    synchronized boolean acquire() {
        roll();
        if (used >= limit) {
            return false;
        }
        used++;
        return true;
    }

    synchronized Snapshot snapshot() {
        roll();
        return new Snapshot(limit, limit - used, used, windowEnd);
    }

    private void roll() {
        long now = clock.instant().getEpochSecond();
        if (now >= windowEnd) {
            windowEnd = now + windowS;
            used = 0;
        }
    }
}
