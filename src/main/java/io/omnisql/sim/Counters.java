package io.omnisql.sim;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLongArray;

/** Thread-safe counters behind {@link SimulatorStats}. */
final class Counters {

    enum Kind {
        GITHUB_REQUESTS, GITHUB_PULLS_PAGES, GITHUB_COMMITS, GITHUB_USERS, GITHUB_TEAM_MEMBERS, GITHUB_NOT_MODIFIED,
        GITHUB_FAULTS, GITHUB_RATE_LIMITED, JIRA_REQUESTS, JIRA_CLOUD_SEARCH, JIRA_DC_SEARCH, JIRA_FAULTS,
        JIRA_RATE_LIMITED, JIRA_FIELD_LISTS
    }

    /** How many received {@code traceparent} headers are kept (the most recent). */
    private static final int TRACEPARENTS_KEPT = 1_000;

    private final AtomicLongArray values = new AtomicLongArray(Kind.values().length);
    private final ConcurrentLinkedDeque<String> traceparents = new ConcurrentLinkedDeque<>();

    /** Keeps a request's {@code traceparent} header: what a traced upstream would join. */
    void traceparent(String header) {
        traceparents.addLast(header);
        while (traceparents.size() > TRACEPARENTS_KEPT) {
            traceparents.pollFirst();
        }
    }

    List<String> traceparents() {
        return List.copyOf(traceparents);
    }

    /** Counts one event; a null kind (an endpoint without such a counter) is ignored. */
    void increment(Kind kind) {
        if (kind != null) {
            values.incrementAndGet(kind.ordinal());
        }
    }

    void reset() {
        for (int i = 0; i < values.length(); i++) {
            values.set(i, 0);
        }
        traceparents.clear();
    }

    SimulatorStats snapshot() {
        return new SimulatorStats(get(Kind.GITHUB_REQUESTS), get(Kind.GITHUB_PULLS_PAGES), get(Kind.GITHUB_COMMITS),
                get(Kind.GITHUB_USERS), get(Kind.GITHUB_TEAM_MEMBERS), get(Kind.GITHUB_NOT_MODIFIED),
                get(Kind.GITHUB_FAULTS), get(Kind.GITHUB_RATE_LIMITED), get(Kind.JIRA_REQUESTS),
                get(Kind.JIRA_CLOUD_SEARCH), get(Kind.JIRA_DC_SEARCH), get(Kind.JIRA_FAULTS),
                get(Kind.JIRA_RATE_LIMITED), get(Kind.JIRA_FIELD_LISTS));
    }

    private long get(Kind kind) {
        return values.get(kind.ordinal());
    }
}
