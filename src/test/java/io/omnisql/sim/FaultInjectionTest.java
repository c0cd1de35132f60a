package io.omnisql.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FaultInjectionTest {

    private static final String PULLS = "/repos/acme/web-app/pulls?state=all&per_page=10";
    private static final String SEARCH = "/rest/api/3/search/jql?jql=project%3DMOB&fields=summary&maxResults=10";
    private static final AtomicReference<Instant> NOW = new AtomicReference<>(Instant.parse("2025-07-01T00:00:00Z"));
    private static Simulators sims;
    private static URI gh;
    private static URI jira;

    @BeforeAll
    static void start() {
        sims = Simulators.start(settings(Map.of(), Map.of()), NOW::get);
        gh = sims.githubBaseUrl();
        jira = sims.jiraBaseUrl();
    }

    @AfterAll
    static void stop() {
        sims.close();
    }

    @BeforeEach
    void clean() {
        sims.update(settings(Map.of(), Map.of()));
        sims.resetStats();
    }

    /** Small data so the class stays fast; extra keys go into the github / jira sections. */
    private static SimulatorSettings settings(Map<String, Object> github, Map<String, Object> jiraSection) {
        Map<String, Object> g = new HashMap<>(Map.of("pull_requests", 200));
        g.putAll(github);
        Map<String, Object> j = new HashMap<>(Map.of("issues", 300));
        j.putAll(jiraSection);
        return SimulatorSettings.fromMap(Map.of("github", g, "jira", j));
    }

    private static SimulatorSettings faults(Map<String, Object> githubFaults, Map<String, Object> jiraFaults) {
        return settings(Map.of("faults", githubFaults), Map.of("faults", jiraFaults));
    }

    @Test
    void everyNthRequestIsSecondaryRateLimitedWithRetryAfter() {
        sims.update(faults(Map.of("rate_limit_every", 3, "retry_after_s", 7), Map.of("rate_limit_every", 2)));
        List<Integer> github = List.of(status(gh, PULLS), status(gh, PULLS), status(gh, PULLS), status(gh, PULLS));
        assertThat(github).containsExactly(200, 200, 403, 200);
        HttpResponse<String> fifth = Http.get(gh, PULLS + "&page=2", "If-None-Match", "x");
        HttpResponse<String> sixth = Http.get(gh, PULLS);
        assertThat(fifth.statusCode()).isEqualTo(200);
        assertThat(sixth.statusCode()).isEqualTo(403);
        assertThat(sixth.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(Http.json(sixth).get("message").asText()).contains("secondary rate limit");

        assertThat(status(jira, SEARCH)).isEqualTo(200);
        HttpResponse<String> jiraLimited = Http.get(jira, SEARCH);
        assertThat(jiraLimited.statusCode()).isEqualTo(429);
        assertThat(jiraLimited.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(jiraLimited.headers().firstValue("RateLimit-Reason")).isPresent();
        assertThat(sims.stats().githubFaultsInjected()).isEqualTo(2);
        assertThat(sims.stats().jiraFaultsInjected()).isEqualTo(1);
    }

    @Test
    void everyNthRequestFailsWithTheConfiguredStatus() {
        sims.update(faults(Map.of("error_every", 2, "error_status", 502), Map.of("error_every", 1)));
        assertThat(status(gh, PULLS)).isEqualTo(200);
        HttpResponse<String> failed = Http.get(gh, PULLS);
        assertThat(failed.statusCode()).isEqualTo(502);
        assertThat(Http.json(failed).has("documentation_url")).isTrue();
        HttpResponse<String> jiraFailed = Http.get(jira, SEARCH);
        assertThat(jiraFailed.statusCode()).isEqualTo(503);
        assertThat(Http.json(jiraFailed).get("errorMessages")).isNotEmpty();
    }

    @Test
    void malformedBodiesAreInvalidJsonWithStatus200() {
        sims.update(faults(Map.of("malformed_every", 2), Map.of("malformed_every", 1)));
        assertThat(parses(Http.get(gh, PULLS))).isTrue();
        HttpResponse<String> broken = Http.get(gh, PULLS);
        assertThat(broken.statusCode()).isEqualTo(200);
        assertThat(parses(broken)).isFalse();
        assertThat(parses(Http.get(jira, SEARCH))).isFalse();
        assertThat(sims.stats().githubFaultsInjected()).isEqualTo(1);
    }

    @Test
    void truncatedBodiesAreCutWithAnHonestContentLength() {
        int full = Http.get(gh, PULLS).body().getBytes(StandardCharsets.UTF_8).length;
        sims.update(faults(Map.of("truncate_every", 1), Map.of("truncate_every", 1)));
        HttpResponse<String> cut = Http.get(gh, PULLS);
        int length = cut.body().getBytes(StandardCharsets.UTF_8).length;
        assertThat(cut.statusCode()).isEqualTo(200);
        assertThat(length).isEqualTo(full / 2);
        assertThat(cut.headers().firstValueAsLong("Content-Length")).hasValue(length);
        assertThat(parses(cut)).isFalse();
        assertThat(parses(Http.get(jira, SEARCH))).isFalse();
    }

    @Test
    void slowBodiesAndLatencyDelayButDeliverCompleteJson() {
        sims.update(settings(Map.of("latency_ms", 150, "faults", Map.of("slow_body_ms", 300)), Map.of()));
        long start = System.nanoTime();
        HttpResponse<String> slow = Http.get(gh, PULLS);
        long elapsedMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertThat(parses(slow)).isTrue();
        assertThat(Http.json(slow)).hasSize(10);
        assertThat(elapsedMs).isGreaterThanOrEqualTo(150 + 270);
    }

    @Test
    void hotUpdateSwitchesFaultsOffAndKeepsDataUnlessDataSettingsChange() {
        DemoData before = sims.data();
        sims.update(faults(Map.of("error_every", 1), Map.of()));
        assertThat(status(gh, PULLS)).isEqualTo(503);
        sims.update(faults(Map.of(), Map.of()));
        assertThat(status(gh, PULLS)).isEqualTo(200);
        assertThat(sims.data()).isSameAs(before);

        sims.update(settings(Map.of("seed", 7), Map.of()));
        assertThat(sims.data()).isNotSameAs(before);
        assertThat(sims.data().pullRequests().getFirst().headSha())
                .isNotEqualTo(before.pullRequests().getFirst().headSha());
        assertThat(Http.json(Http.get(gh, "/repos/acme/" + sims.data().pullRequests().getFirst().repo().name()
                + "/pulls/1")).get("head").get("sha").asText())
                .isEqualTo(sims.data().pullRequests().stream()
                        .filter(p -> p.repo().equals(sims.data().pullRequests().getFirst().repo()) && p.number() == 1)
                        .findFirst().orElseThrow().headSha());
    }

    @Test
    void githubQuotaCountsDownExhaustsWith403AndResetsAfterTheWindow() {
        sims.update(faults(Map.of("ratelimit_limit", 3, "ratelimit_window_s", 60), Map.of()));
        HttpResponse<String> first = Http.get(gh, PULLS);
        assertThat(first.headers().firstValue("x-ratelimit-remaining")).hasValue("2");
        assertThat(first.headers().firstValue("x-ratelimit-used")).hasValue("1");
        assertThat(first.headers().firstValue("x-ratelimit-resource")).hasValue("core");
        assertThat(first.headers().firstValue("x-ratelimit-reset"))
                .hasValue(String.valueOf(NOW.get().getEpochSecond() + 60));
        String etag = first.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> notModified = Http.get(gh, PULLS, "If-None-Match", etag);
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.headers().firstValue("x-ratelimit-remaining")).as("304 is free").hasValue("2");
        assertThat(status(gh, PULLS)).isEqualTo(200);
        assertThat(status(gh, PULLS)).isEqualTo(200);
        HttpResponse<String> exhausted = Http.get(gh, PULLS);
        assertThat(exhausted.statusCode()).isEqualTo(403);
        assertThat(exhausted.headers().firstValue("x-ratelimit-remaining")).hasValue("0");
        assertThat(sims.stats().githubRateLimited()).isEqualTo(1);
        assertThat(sims.stats().githubNotModified()).isEqualTo(1);

        NOW.updateAndGet(t -> t.plusSeconds(61));
        HttpResponse<String> afterReset = Http.get(gh, PULLS);
        assertThat(afterReset.statusCode()).isEqualTo(200);
        assertThat(afterReset.headers().firstValue("x-ratelimit-remaining")).hasValue("2");
    }

    @Test
    void jiraQuotaExhaustionAnswers429WithRetryAfterAndIsoReset() {
        sims.update(faults(Map.of(), Map.of("ratelimit_limit", 2, "ratelimit_window_s", 30)));
        HttpResponse<String> first = Http.get(jira, SEARCH);
        assertThat(first.headers().firstValue("X-RateLimit-Remaining")).hasValue("1");
        assertThat(first.headers().firstValue("X-RateLimit-Reset")).hasValue(NOW.get().plusSeconds(30).toString());
        assertThat(status(jira, SEARCH)).isEqualTo(200);
        HttpResponse<String> limited = Http.get(jira, SEARCH);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(limited.headers().firstValue("RateLimit-Reason")).hasValue("jira-quota-tenant-based");
        assertThat(sims.stats().jiraRateLimited()).isEqualTo(1);
    }

    @Test
    void statsCountUpstreamCallsPerEndpointKind() {
        DemoData.PullRequest pr = sims.data().pullRequests().getFirst();
        Http.get(gh, PULLS);
        Http.get(gh, PULLS + "&page=2");
        Http.get(gh, "/repos/acme/" + pr.repo().name() + "/pulls/" + pr.number() + "/commits");
        Http.get(jira, SEARCH);
        Http.get(jira, "/rest/api/2/search?jql=project%3DWEB");
        SimulatorStats stats = sims.stats();
        assertThat(stats.githubPullsPages()).isEqualTo(2);
        assertThat(stats.githubCommitsCalls()).isEqualTo(1);
        assertThat(stats.githubRequests()).isEqualTo(3);
        assertThat(stats.jiraCloudSearchPages()).isEqualTo(1);
        assertThat(stats.jiraDcSearchPages()).isEqualTo(1);
        sims.resetStats();
        assertThat(sims.stats().githubRequests()).isZero();
    }

    @Test
    void settingsNameTheOffendingKeyPath() {
        assertThatThrownBy(() -> SimulatorSettings.fromMap(Map.of("github", Map.of("latency_ms", -5))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("github.latency_ms: must be between 0 and 2147483647");
        assertThatThrownBy(() -> SimulatorSettings.fromMap(Map.of("jira", Map.of("faults", Map.of("error_every", "x")))))
                .hasMessage("jira.faults.error_every: must be a whole number");
        assertThatThrownBy(() -> SimulatorSettings.fromMap(Map.of("jira", Map.of("projects", List.of("mob")))))
                .hasMessageStartingWith("jira.projects: 'mob' is not a Jira project key");
        assertThatThrownBy(() -> SimulatorSettings.fromMap(Map.of("github", Map.of("latencyMs", 1))))
                .hasMessageStartingWith("github.latencyMs: unknown key");
        assertThat(SimulatorSettings.fromMap(null)).isEqualTo(SimulatorSettings.defaults());
        assertThat(SimulatorSettings.fromMap(Map.of()).github().faults().rateLimitStatus()).isEqualTo(403);
        assertThat(SimulatorSettings.fromMap(Map.of()).jira().faults().rateLimitStatus()).isEqualTo(429);
    }

    private static int status(URI base, String path) {
        return Http.get(base, path).statusCode();
    }

    private static boolean parses(HttpResponse<String> r) {
        try {
            Http.MAPPER.readTree(r.body());
            return true;
        } catch (JsonProcessingException e) {
            return false;
        }
    }
}
