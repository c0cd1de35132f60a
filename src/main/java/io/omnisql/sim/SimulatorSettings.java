package io.omnisql.sim;

import io.omnisql.config.ConfigException;
import io.omnisql.config.Section;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code simulators:} section of catalog.yaml. Every key is optional; {@link #from} rejects unknown keys
 * and ill-typed values with a message that names file, line and key path, so a typo in the demo config fails loudly.
 */
public record SimulatorSettings(GithubSettings github, JiraSettings jira) {

    /** Literal pull-request titles (e.g. a hostile payload for the console's tests): non-empty strings only. */
    private static List<String> titles(Section s) throws ConfigException {
        Object raw = s.raw().get("titles");
        if (raw instanceof List<?> list && list.stream().allMatch(t -> t instanceof String str && !str.isEmpty())) {
            return s.strings("titles");
        }
        if (raw == null) {
            return List.of();
        }
        throw s.error("titles", "must be a list of non-empty strings");
    }

    private static final Pattern REPO_NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern PROJECT_KEY = Pattern.compile("[A-Z][A-Z0-9]{1,9}");

    public SimulatorSettings {
        if (github == null || jira == null) {
            throw new IllegalArgumentException("simulators: github and jira settings are required");
        }
    }

    public static SimulatorSettings defaults() {
        return new SimulatorSettings(GithubSettings.defaults(), JiraSettings.defaults());
    }

    /** Settings of the GitHub simulator; {@code seed} drives the shared {@link DemoData}. */
    public record GithubSettings(int latencyMs, long seed, String org, List<String> repos, int pullRequests,
                                 Faults faults, List<String> titles) {
        public GithubSettings {
            repos = List.copyOf(repos);
            titles = List.copyOf(titles);
        }

        /** Settings with the generated titles throughout. */
        public GithubSettings(int latencyMs, long seed, String org, List<String> repos, int pullRequests, Faults faults) {
            this(latencyMs, seed, org, repos, pullRequests, faults, List.of());
        }

        public static GithubSettings defaults() {
            return new GithubSettings(0, 42, "acme", List.of("mobile-app", "web-app", "platform-api", "infra"), 5000,
                    Faults.none(403), List.of());
        }

        /** True when the generated data would differ (latency and faults do not touch data). */
        boolean sameData(GithubSettings o) {
            return seed == o.seed && org.equals(o.org) && repos.equals(o.repos) && pullRequests == o.pullRequests
                    && titles.equals(o.titles);
        }
    }

    /** Settings of the Jira simulator. */
    public record JiraSettings(int latencyMs, List<String> projects, int issues, Faults faults) {
        public JiraSettings {
            projects = List.copyOf(projects);
        }

        public static JiraSettings defaults() {
            return new JiraSettings(0, List.of("MOB", "WEB", "PLAT"), 10000, Faults.none(429));
        }

        boolean sameData(JiraSettings o) {
            return projects.equals(o.projects) && issues == o.issues;
        }
    }

    /**
     * Deterministic fault injection: a fault of kind K hits request n (counted from the last fault change) when
     * {@code n % K_every == 0}; 0 switches a kind off. {@code ratelimitLimit} 0 disables the primary quota.
     */
    public record Faults(int rateLimitEvery, int rateLimitStatus, int retryAfterS, int errorEvery, int errorStatus,
                         int malformedEvery, int truncateEvery, int slowBodyMs, int ratelimitLimit,
                         int ratelimitWindowS) {
        public static Faults none(int rateLimitStatus) {
            return new Faults(0, rateLimitStatus, 1, 0, 503, 0, 0, 0, 0, 3600);
        }
    }

    /**
     * Parses the {@code simulators:} section as snakeyaml loads it (null or empty: defaults), for settings built in
     * code; the file is read with {@link #from(Section)}, which names file and line.
     *
     * @throws IllegalArgumentException naming the offending key path, e.g. {@code github.latency_ms: must be ...}
     */
    public static SimulatorSettings fromMap(Map<String, Object> section) {
        try {
            return from(Section.of("simulators", "", section == null ? Map.of() : section));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.problem(), e);
        }
    }

    /** Reads the {@code simulators:} section; every problem names file, line and key path. */
    public static SimulatorSettings from(Section root) throws ConfigException {
        root.allowOnly(Set.of("github", "jira"));
        return new SimulatorSettings(github(root.section("github", false)), jira(root.section("jira", false)));
    }

    private static GithubSettings github(Section s) throws ConfigException {
        GithubSettings d = GithubSettings.defaults();
        s.allowOnly(Set.of("latency_ms", "seed", "org", "repos", "pull_requests", "faults", "titles"));
        String org = nonBlank(s, "org", d.org());
        if (!REPO_NAME.matcher(org).matches()) {
            throw s.error("org", "must be a GitHub organisation login");
        }
        return new GithubSettings(count(s, "latency_ms", d.latencyMs()), s.number("seed", d.seed(), Long.MIN_VALUE, Long.MAX_VALUE),
                org, names(s, "repos", d.repos(), REPO_NAME, "a repository name"),
                count(s, "pull_requests", d.pullRequests()), faults(s.section("faults", false), d.faults()),
                titles(s));
    }

    private static JiraSettings jira(Section s) throws ConfigException {
        JiraSettings d = JiraSettings.defaults();
        s.allowOnly(Set.of("latency_ms", "projects", "issues", "faults"));
        return new JiraSettings(count(s, "latency_ms", d.latencyMs()),
                names(s, "projects", d.projects(), PROJECT_KEY, "a Jira project key like MOB"),
                count(s, "issues", d.issues()), faults(s.section("faults", false), d.faults()));
    }

    private static Faults faults(Section s, Faults d) throws ConfigException {
        s.allowOnly(Set.of("rate_limit_every", "rate_limit_status", "retry_after_s", "error_every", "error_status",
                "malformed_every", "truncate_every", "slow_body_ms", "ratelimit_limit", "ratelimit_window_s"));
        int rateLimitStatus = count(s, "rate_limit_status", d.rateLimitStatus());
        if (rateLimitStatus != 403 && rateLimitStatus != 429) {
            throw s.error("rate_limit_status", "must be 403 or 429");
        }
        int errorStatus = (int) s.number("error_status", d.errorStatus(), 400, 599);
        return new Faults(count(s, "rate_limit_every", d.rateLimitEvery()), rateLimitStatus,
                count(s, "retry_after_s", d.retryAfterS()), count(s, "error_every", d.errorEvery()),
                errorStatus, count(s, "malformed_every", d.malformedEvery()),
                count(s, "truncate_every", d.truncateEvery()), count(s, "slow_body_ms", d.slowBodyMs()),
                count(s, "ratelimit_limit", d.ratelimitLimit()),
                (int) s.number("ratelimit_window_s", d.ratelimitWindowS(), 1, Integer.MAX_VALUE));
    }

    private static int count(Section s, String key, int fallback) throws ConfigException {
        return (int) s.number(key, fallback, 0, Integer.MAX_VALUE);
    }

    private static String nonBlank(Section s, String key, String fallback) throws ConfigException {
        String v = s.string(key, fallback);
        if (v.isBlank()) {
            throw s.error(key, "must be a non-empty string");
        }
        return v;
    }

    private static List<String> names(Section s, String key, List<String> fallback, Pattern shape, String what)
            throws ConfigException {
        if (!s.has(key)) {
            return fallback;
        }
        List<String> list = s.strings(key);
        if (list.isEmpty()) {
            throw s.error(key, "must be a non-empty list");
        }
        Set<String> out = new LinkedHashSet<>();
        for (String item : list) {
            if (!shape.matcher(item).matches()) {
                throw s.error(key, "'" + item + "' is not " + what);
            }
            if (!out.add(item)) {
                throw s.error(key, "'" + item + "' is listed twice");
            }
        }
        return new ArrayList<>(out);
    }
}
