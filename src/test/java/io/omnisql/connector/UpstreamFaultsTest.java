package io.omnisql.connector;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import io.omnisql.sim.SimulatorStats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every simulator fault, driven through the whole gateway by hot-reloading catalog.yaml's simulators section. */
class UpstreamFaultsTest {
    private static final int PULLS = 400;
    private static final int ISSUES = 600;
    private static final String PRS = "SELECT count(*) FROM github.pull_requests";
    private static final String JIRA = "SELECT count(*) FROM jira.issues";
    private static GatewayHarness gw;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start((file, text) -> file.equals("catalog.yaml") ? simulators(text, 0, "", "") : text);
        token = gw.token("ops", "platform", "admin", ""); // admins are exempt from the team row filters
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @AfterEach
    void clearFaults() throws Exception {
        faults(0, "", "");
    }

    private static String simulators(String catalog, int latencyMs, String githubFaults, String jiraFaults) {
        String section = """
                simulators:
                  github:
                    latency_ms: %d
                    repos: [mobile-app, web-app, platform-api, infra]
                    pull_requests: %d
                    faults: {%s}
                  jira:
                    latency_ms: %d
                    issues: %d
                    faults: {%s}

                """.formatted(latencyMs, PULLS, githubFaults, latencyMs, ISSUES, jiraFaults);
        int from = catalog.indexOf("simulators:\n");
        int to = catalog.indexOf("sources:\n");
        return catalog.substring(0, from) + section + catalog.substring(to);
    }

    private static void faults(int latencyMs, String github, String jira) throws Exception {
        gw.edit("catalog.yaml", text -> simulators(text, latencyMs, github, jira));
    }

    private static Response live(String sql) {
        return gw.query(token, sql, 0);
    }

    private static Response live(String sql, long timeoutMs) {
        return gw.post("/v1/query", token, "{\"sql\":\"" + sql + "\",\"max_staleness_ms\":0,\"timeout_ms\":" + timeoutMs + "}");
    }

    private static SimulatorStats stats() {
        return gw.gateway().simulators().stats();
    }

    @Test
    void githubSecondaryLimitWithRetryAfterIsWaitedOutAndRetried() throws Exception {
        faults(0, "rate_limit_every: 3, rate_limit_status: 403, retry_after_s: 1", "");
        long injected = stats().githubFaultsInjected();
        Response r = live(PRS);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body().at("/rows/0/0").asInt()).isEqualTo(PULLS);
        assertThat(stats().githubFaultsInjected()).isGreaterThan(injected);
    }

    @Test
    void jira429WithRetryAfterIsWaitedOutAndRetried() throws Exception {
        faults(0, "", "rate_limit_every: 2, retry_after_s: 1");
        long injected = stats().jiraFaultsInjected();
        Response r = live(JIRA);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body().at("/rows/0/0").asInt()).isEqualTo(ISSUES);
        assertThat(stats().jiraFaultsInjected()).isGreaterThan(injected);
    }

    @Test
    void retryAfterBeyondTheDeadlineFailsAtOnceAsRateLimitExhausted() throws Exception {
        faults(0, "rate_limit_every: 1, rate_limit_status: 429, retry_after_s: 120", "");
        long start = System.nanoTime();
        // Fresh request keys: with older cached data a failed live fetch would answer STALE_DATA instead.
        Response r = live(PRS + " WHERE base_branch = 'retry-after-test'", 5_000);
        assertThat(r.status()).as(r.text()).isEqualTo(429);
        assertThat(r.errorCode()).isEqualTo("RATE_LIMIT_EXHAUSTED");
        assertThat(r.body().at("/error/source").asText()).isEqualTo("github");
        assertThat(r.body().at("/error/retry_after_ms").asLong()).isGreaterThanOrEqualTo(120_000);
        assertThat(r.header("Retry-After")).isNotNull();
        // It did not sleep towards a retry it could never make.
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
    }

    @Test
    void usedUpPrimaryQuotaIsRateLimitExhaustedUntilItsReset() throws Exception {
        faults(0, "ratelimit_limit: 5, ratelimit_window_s: 3600", "");
        // Eight streams (4 repos x 2 states) of URLs no earlier test revalidates.
        Response r = live(PRS + " WHERE head_label = 'acme:quota-test'");
        assertThat(r.status()).as(r.text()).isEqualTo(429);
        assertThat(r.errorCode()).isEqualTo("RATE_LIMIT_EXHAUSTED");
        assertThat(r.body().at("/error/retry_after_ms").asLong()).isGreaterThan(3_000_000);
        assertThat(stats().githubRateLimited()).isPositive();
    }

    @Test
    void occasionalServerErrorsAreRetried() throws Exception {
        faults(0, "error_every: 2, error_status: 503", "error_every: 3, error_status: 502");
        Response prs = live(PRS);
        Response issues = live(JIRA);
        assertThat(prs.status()).as(prs.text()).isEqualTo(200);
        assertThat(prs.body().at("/rows/0/0").asInt()).isEqualTo(PULLS);
        assertThat(issues.status()).as(issues.text()).isEqualTo(200);
        assertThat(issues.body().at("/rows/0/0").asInt()).isEqualTo(ISSUES);
    }

    @Test
    void persistentServerErrorIsSourceErrorNamingSourceAndStatus() throws Exception {
        faults(0, "error_every: 1, error_status: 500", "");
        long before = stats().githubRequests();
        Response r = live("SELECT count(*) FROM github.pull_requests WHERE repo = 'acme/infra' AND state = 'open'");
        assertThat(r.status()).as(r.text()).isEqualTo(502);
        assertThat(r.errorCode()).isEqualTo("SOURCE_ERROR");
        assertThat(r.body().at("/error/source").asText()).isEqualTo("github");
        assertThat(r.body().at("/error/upstream_status").asInt()).isEqualTo(500);
        // retries: 3 -> four attempts, then it gives up
        assertThat(stats().githubRequests() - before).isEqualTo(4);
    }

    @Test
    void malformedJsonIsSourceErrorNeverFewerRows() throws Exception {
        faults(0, "", "malformed_every: 1");
        Response r = live(JIRA + " WHERE project = 'WEB'");
        assertThat(r.status()).as(r.text()).isEqualTo(502);
        assertThat(r.errorCode()).isEqualTo("SOURCE_ERROR");
        assertThat(r.body().at("/error/source").asText()).isEqualTo("jira");
        assertThat(r.body().at("/error/message").asText()).contains("malformed JSON");
    }

    @Test
    void aFailingTableCancelsTheOtherFetchAndLeavesNoHalfLoadedTable() throws Exception {
        // Jira's pages take 1.5 s each to arrive (its table already exists) when GitHub refuses at once.
        faults(0, "error_every: 1, error_status: 422", "slow_body_ms: 1500");
        gw.gateway().cache().invalidateAll();
        // Jira is named first: the failure of a later table must not wait for an earlier one.
        Response r = live("SELECT count(*) FROM jira.issues i JOIN github.pull_requests p ON p.branch = i.branch_name");
        assertThat(r.status()).as(r.text()).isEqualTo(502);
        assertThat(r.body().at("/error/source").asText()).as(r.text()).isEqualTo("github");
        // The Jira fetch was cancelled, not waited for and cached; its table went with it.
        assertThat(gw.gateway().cache().size()).isZero();
        assertThat(gw.gateway().engine().tables()).isEmpty();
    }

    @Test
    void truncatedJsonIsSourceErrorNeverFewerRows() throws Exception {
        faults(0, "truncate_every: 1", "");
        // A page stored from an earlier test would be revalidated (304, no body to truncate): use fresh URLs.
        Response r = live(PRS + " WHERE base_branch = 'truncate-test'");
        assertThat(r.status()).as(r.text()).isEqualTo(502);
        assertThat(r.errorCode()).isEqualTo("SOURCE_ERROR");
        assertThat(r.body().at("/error/message").asText()).contains("malformed JSON");
    }

    @Test
    void slowBodyPastTheSourceTimeoutIsSourceTimeout() throws Exception {
        assertThat(gw.edit("catalog.yaml", text -> text.replaceFirst("timeout_ms: 10000 ", "timeout_ms: 400 "))).isTrue();
        try {
            faults(0, "slow_body_ms: 3000", "");
            // Fresh URLs: a stored page would be revalidated with a body-less 304.
            Response r = live(PRS + " WHERE base_branch = 'main'");
            assertThat(r.status()).as(r.text()).isEqualTo(504);
            assertThat(r.errorCode()).isEqualTo("SOURCE_TIMEOUT");
            assertThat(r.body().at("/error/source").asText()).isEqualTo("github");
        } finally {
            assertThat(gw.edit("catalog.yaml", text -> text.replaceFirst("timeout_ms: 400 ", "timeout_ms: 10000 "))).isTrue();
        }
    }

    @Test
    void sourceSlowerThanTheQueryDeadlineIsSourceTimeout() throws Exception {
        faults(1_500, "", "");
        Response r = live(JIRA + " WHERE status = 'To Do'", 500);
        assertThat(r.status()).as(r.text()).isEqualTo(504);
        assertThat(r.errorCode()).isEqualTo("SOURCE_TIMEOUT");
        assertThat(r.body().at("/error/source").asText()).isEqualTo("jira");
    }

    @Test
    void unchangedPagesAreAnswered304AndCostNoQuota() throws Exception {
        faults(0, "ratelimit_limit: 100, ratelimit_window_s: 3600", "");
        Response first = live(PRS);
        long notModified = stats().githubNotModified();
        Response second = live(PRS);
        assertThat(second.status()).as(second.text()).isEqualTo(200);
        assertThat(second.body().at("/rows/0/0").asInt()).isEqualTo(first.body().at("/rows/0/0").asInt());
        int pages = second.body().at("/metadata/sources/0/pages").asInt();
        assertThat(pages).isPositive();
        assertThat(stats().githubNotModified() - notModified).isEqualTo(pages);
    }

    @Test
    void rowCapCutsTheFetchAndSaysSo() throws Exception {
        rowCapCuts("    source: jira\n    path: /rest/api/3/search/jql\n", JIRA);
    }

    @Test
    void rowCapIsSharedByConcurrentStreams() throws Exception {
        // 8 streams (4 repositories x 2 states) of ~50 pull requests each, fetched at once.
        rowCapCuts("    source: github\n    path: /repos/{repo}/pulls\n", PRS);
    }

    private static void rowCapCuts(String tableStart, String countQuery) throws Exception {
        String capped = tableStart.replace("    path:", "    max_rows: 150\n    path:");
        assertThat(gw.edit("catalog.yaml", text -> text.replace(tableStart, capped))).isTrue();
        try {
            Response r = live(countQuery);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.body().at("/rows/0/0").asInt()).isEqualTo(150);
            assertThat(r.body().at("/metadata/warnings").toString()).contains("max_rows 150");
        } finally {
            assertThat(gw.edit("catalog.yaml", text -> text.replace(capped, tableStart))).isTrue();
        }
    }
}
