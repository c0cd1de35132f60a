package io.omnisql.sim;

import java.net.URI;
import java.time.InstantSource;

/**
 * The embedded GitHub and Jira simulators, each on its own loopback port, serving one shared {@link DemoData}.
 * Start with {@link #start}, hand {@link #githubBaseUrl()} / {@link #jiraBaseUrl()} to the connectors, hot reload
 * with {@link #update}, and count upstream calls with {@link #stats()}.
 */
public final class Simulators implements AutoCloseable {

    private final InstantSource clock;
    private final Counters counters = new Counters();
    private final SimEndpoint github;
    private final SimEndpoint jira;
    private final SimTokens tokens;
    private SimulatorSettings settings;
    private volatile DemoData data;

    private Simulators(SimulatorSettings settings, InstantSource clock) {
        this.clock = clock;
        this.settings = settings;
        this.github = new SimEndpoint(clock, new SimEndpoint.Tally(counters, Counters.Kind.GITHUB_REQUESTS,
                Counters.Kind.GITHUB_FAULTS, Counters.Kind.GITHUB_RATE_LIMITED, Counters.Kind.GITHUB_NOT_MODIFIED,
                GithubApi::kindOf), settings.github().latencyMs(), settings.github().faults());
        try {
            this.jira = new SimEndpoint(clock, new SimEndpoint.Tally(counters, Counters.Kind.JIRA_REQUESTS,
                    Counters.Kind.JIRA_FAULTS, Counters.Kind.JIRA_RATE_LIMITED, null,
                    JiraApi::kindOf), settings.jira().latencyMs(), settings.jira().faults());
        } catch (RuntimeException e) {
            github.close();
            throw e;
        }
        this.tokens = new SimTokens(clock);
        github.tokens(tokens);
        jira.tokens(tokens);
        serve(DemoData.generate(settings));
    }

    /** The OAuth2 and GitHub App token endpoints both simulators play (register clients and apps here). */
    public SimTokens tokens() {
        return tokens;
    }

    /** Starts both simulators on 127.0.0.1 with ephemeral ports. */
    public static Simulators start(SimulatorSettings settings) {
        return start(settings, InstantSource.system());
    }

    /** As {@link #start(SimulatorSettings)}, with the clock that drives rate-limit windows and relative JQL dates. */
    public static Simulators start(SimulatorSettings settings, InstantSource clock) {
        return new Simulators(settings, clock);
    }

    public URI githubBaseUrl() {
        return github.baseUrl();
    }

    public URI jiraBaseUrl() {
        return jira.baseUrl();
    }

    /** The data currently served (replaced when {@link #update} changes a data setting). */
    public DemoData data() {
        return data;
    }

    /**
     * Hot reload: latency and faults apply to the next request (changed faults restart the every-Nth counting and
     * the quota window); the data is regenerated only when seed, org, repos, sizes or projects changed.
     */
    public synchronized void update(SimulatorSettings next) {
        if (!next.github().sameData(settings.github()) || !next.jira().sameData(settings.jira())) {
            serve(DemoData.generate(next));
        }
        github.configure(next.github().latencyMs(), next.github().faults());
        jira.configure(next.jira().latencyMs(), next.jira().faults());
        settings = next;
    }

    public SimulatorStats stats() {
        return counters.snapshot();
    }

    /**
     * The W3C {@code traceparent} headers of the requests received since start or {@link #resetStats()}, oldest
     * first (the last 1,000): the trace context a traced GitHub or Jira would have joined.
     */
    public java.util.List<String> traceparents() {
        return counters.traceparents();
    }

    public void resetStats() {
        counters.reset();
    }

    @Override
    public void close() {
        try {
            github.close();
        } finally {
            jira.close();
        }
    }

    private void serve(DemoData generated) {
        github.api(new GithubApi(generated, github.baseUrl()));
        jira.api(new JiraApi(generated, jira.baseUrl(), clock));
        data = generated;
    }
}
