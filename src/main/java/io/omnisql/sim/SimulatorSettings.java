package io.omnisql.sim;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code simulators:} section of catalog.yaml. Every key is optional; {@link #fromMap} rejects unknown keys
 * and ill-typed values with a message that names the key path, so a typo in the demo config fails loudly.
 */
public record SimulatorSettings(GithubSettings github, JiraSettings jira) {

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
     * Parses the {@code simulators:} YAML section (as loaded by snakeyaml); null or empty gives the defaults.
     *
     * @throws IllegalArgumentException naming the offending key path, e.g. {@code github.latency_ms: must be a
     *                                  non-negative integer}
     */
    public static SimulatorSettings fromMap(Map<String, Object> section) {
        Section root = new Section("", section);
        root.allowOnly("github", "jira");
        return new SimulatorSettings(github(root.section("github")), jira(root.section("jira")));
    }

    private static GithubSettings github(Section s) {
        GithubSettings d = GithubSettings.defaults();
        s.allowOnly("latency_ms", "seed", "org", "repos", "pull_requests", "faults", "titles");
        String org = s.string("org", d.org());
        if (!REPO_NAME.matcher(org).matches()) {
            throw s.invalid("org", "must be a GitHub organisation login");
        }
        return new GithubSettings(s.nonNegative("latency_ms", d.latencyMs()), s.longValue("seed", d.seed()), org,
                s.names("repos", d.repos(), REPO_NAME, "a repository name"),
                s.nonNegative("pull_requests", d.pullRequests()), faults(s.section("faults"), d.faults()),
                s.strings("titles"));
    }

    private static JiraSettings jira(Section s) {
        JiraSettings d = JiraSettings.defaults();
        s.allowOnly("latency_ms", "projects", "issues", "faults");
        return new JiraSettings(s.nonNegative("latency_ms", d.latencyMs()),
                s.names("projects", d.projects(), PROJECT_KEY, "a Jira project key like MOB"),
                s.nonNegative("issues", d.issues()), faults(s.section("faults"), d.faults()));
    }

    private static Faults faults(Section s, Faults d) {
        s.allowOnly("rate_limit_every", "rate_limit_status", "retry_after_s", "error_every", "error_status",
                "malformed_every", "truncate_every", "slow_body_ms", "ratelimit_limit", "ratelimit_window_s");
        int rateLimitStatus = s.nonNegative("rate_limit_status", d.rateLimitStatus());
        if (rateLimitStatus != 403 && rateLimitStatus != 429) {
            throw s.invalid("rate_limit_status", "must be 403 or 429");
        }
        int errorStatus = s.nonNegative("error_status", d.errorStatus());
        if (errorStatus < 400 || errorStatus > 599) {
            throw s.invalid("error_status", "must be an HTTP error status (400-599)");
        }
        int window = s.nonNegative("ratelimit_window_s", d.ratelimitWindowS());
        if (window == 0) {
            throw s.invalid("ratelimit_window_s", "must be a positive integer");
        }
        return new Faults(s.nonNegative("rate_limit_every", d.rateLimitEvery()), rateLimitStatus,
                s.nonNegative("retry_after_s", d.retryAfterS()), s.nonNegative("error_every", d.errorEvery()),
                errorStatus, s.nonNegative("malformed_every", d.malformedEvery()),
                s.nonNegative("truncate_every", d.truncateEvery()), s.nonNegative("slow_body_ms", d.slowBodyMs()),
                s.nonNegative("ratelimit_limit", d.ratelimitLimit()), window);
    }

    /** A YAML mapping plus its key path, for error messages. */
    private record Section(String path, Map<String, Object> values) {
        Section {
            values = values == null ? Map.of() : values;
        }

        String key(String name) {
            return path.isEmpty() ? name : path + "." + name;
        }

        IllegalArgumentException invalid(String name, String problem) {
            return new IllegalArgumentException(key(name) + ": " + problem);
        }

        void allowOnly(String... names) {
            Set<String> allowed = Set.of(names);
            for (Object k : values.keySet()) {
                if (!allowed.contains(String.valueOf(k))) {
                    throw invalid(String.valueOf(k), "unknown key (expected one of " + String.join(", ", names) + ")");
                }
            }
        }

        @SuppressWarnings("unchecked")
        Section section(String name) {
            Object v = values.get(name);
            if (v != null && !(v instanceof Map)) {
                throw invalid(name, "must be a mapping");
            }
            return new Section(key(name), (Map<String, Object>) v);
        }

        int nonNegative(String name, int dflt) {
            long v = longValue(name, dflt);
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw invalid(name, "must be a non-negative integer");
            }
            return (int) v;
        }

        long longValue(String name, long dflt) {
            Object v = values.get(name);
            if (v == null) {
                return dflt;
            }
            if (v instanceof Integer || v instanceof Long) {
                return ((Number) v).longValue();
            }
            throw invalid(name, "must be a non-negative integer");
        }

        String string(String name, String dflt) {
            Object v = values.get(name);
            if (v == null) {
                return dflt;
            }
            if (v instanceof String str && !str.isBlank()) {
                return str;
            }
            throw invalid(name, "must be a non-empty string");
        }

        /** A list of arbitrary non-empty strings (empty when absent). */
        List<String> strings(String name) {
            Object v = values.get(name);
            if (v == null) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            if (v instanceof List<?> list) {
                for (Object item : list) {
                    if (!(item instanceof String str) || str.isEmpty()) {
                        throw invalid(name, "must be a list of non-empty strings");
                    }
                    out.add(str);
                }
                return out;
            }
            throw invalid(name, "must be a list of non-empty strings");
        }

        List<String> names(String name, List<String> dflt, Pattern shape, String what) {
            Object v = values.get(name);
            if (v == null) {
                return dflt;
            }
            if (!(v instanceof List<?> list) || list.isEmpty()) {
                throw invalid(name, "must be a non-empty list");
            }
            Set<String> out = new LinkedHashSet<>();
            for (Object item : list) {
                if (!(item instanceof String str) || !shape.matcher(str).matches()) {
                    throw invalid(name, "'" + item + "' is not " + what);
                }
                if (!out.add(str)) {
                    throw invalid(name, "'" + str + "' is listed twice");
                }
            }
            return new ArrayList<>(out);
        }
    }
}
