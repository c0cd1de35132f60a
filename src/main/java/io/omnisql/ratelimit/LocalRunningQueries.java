package io.omnisql.ratelimit;

import java.util.concurrent.ConcurrentHashMap;

/** {@link RunningQueries} for one process: a count per subject, removed when it drops to zero. */
final class LocalRunningQueries implements RunningQueries {
    private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();

    @Override
    public boolean tryClaim(String subject, int cap) {
        boolean[] claimed = {false};
        counts.compute(subject, (s, n) -> {
            int now = n == null ? 0 : n;
            if (now >= cap) {
                return n;
            }
            claimed[0] = true;
            return now + 1;
        });
        return claimed[0];
    }

    @Override
    public void release(String subject) {
        counts.computeIfPresent(subject, (s, n) -> n <= 1 ? null : n - 1);
    }

    @Override
    public int running(String subject) {
        return counts.getOrDefault(subject, 0);
    }
}
