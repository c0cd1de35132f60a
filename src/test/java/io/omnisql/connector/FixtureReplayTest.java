package io.omnisql.connector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real recorded GitHub answers (octokit fixtures) replayed on loopback, through the whole gateway: a source and
 * tables declared in catalog.yaml alone, pointed at the replay server.
 */
class FixtureReplayTest {
    static final String TOKEN = "ghp_replayTestSecretToken0001";
    private static FixtureServer upstream;
    private static GatewayHarness gw;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        upstream = new FixtureServer().replay("paginate-issues.json").replay("errors.json");
        // A primary limit used up: 403 with remaining 0 and a reset an hour away.
        upstream.script("/repos/octokit-fixture-org/limited/issues", (ex, n) -> {
            long reset = System.currentTimeMillis() / 1000 + 3600;
            FixtureServer.send(ex, 403, Map.of("x-ratelimit-remaining", "0", "x-ratelimit-limit", "5000",
                    "x-ratelimit-reset", String.valueOf(reset), "content-type", "application/json"),
                    "{\"message\":\"API rate limit exceeded for user ID 1.\"}".getBytes(StandardCharsets.UTF_8));
        });
        // The first attempt's connection is dropped without an answer; the retry gets the page.
        upstream.script("/repos/octokit-fixture-org/flaky/issues", (ex, n) -> {
            if (n == 0) {
                ex.close();
                return;
            }
            FixtureServer.send(ex, 200, Map.of("content-type", "application/json"),
                    "[{\"id\":7,\"number\":1,\"title\":\"after reset\",\"state\":\"open\",\"user\":{\"login\":\"a\"}}]"
                            .getBytes(StandardCharsets.UTF_8));
        });
        // Always cut short of its Content-Length: never fewer rows, an error.
        upstream.script("/repos/octokit-fixture-org/cut/issues", (ex, n) -> {
            byte[] body = "[{\"id\":1,\"number\":1},{\"id\":2,\"number\":2}]".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length + 100);
            ex.getResponseBody().write(body);
            ex.close();
        });
        // Tables are closed until a policy opens them: the replay tables carry a tag that policies.yaml opens.
        gw = GatewayHarness.start((file, text) -> file.equals("catalog.yaml") ? withReplay(text)
                        : file.equals("policies.yaml") ? text.replace("  tags:\n",
                                "  tags:\n    fixture:\n      allow: [{name: fixture_tables, when: everyone}]\n") : text,
                Map.of("GITHUB_TOKEN", TOKEN));
        token = gw.token("ops", "platform", "admin", ""); // admins are exempt from the team row filters
    }

    static String withReplay(String catalog) {
        String source = """
                  replay:
                    base_url: %s
                    auth: {type: bearer, token_env: GITHUB_TOKEN}
                    headers: {Accept: application/vnd.github+json, X-GitHub-Api-Version: "2022-11-28"}
                    pagination: {style: link_header, page_size: 100, page_size_param: per_page}
                    timeout_ms: 5000
                    retries: 2
                """.formatted(upstream.baseUrl());
        StringBuilder tables = new StringBuilder("\n");
        for (String repo : List.of("paginate-issues", "limited", "flaky", "cut")) {
            tables.append("""
                      replay.%s:
                        source: replay
                        tags: [fixture]
                        path: /repos/octokit-fixture-org/%s/issues
                        columns:
                          issue_id:  {type: BIGINT,  path: id}
                          number:    {type: INTEGER, path: number}
                          title:     {type: VARCHAR, path: title}
                          author:    {type: VARCHAR, path: user.login}
                    """.formatted(repo.replace('-', '_'), repo));
        }
        tables.append("""
                  replay.labels:
                    source: replay
                    tags: [fixture]
                    path: /repos/octokit-fixture-org/errors/labels
                    columns:
                      name: {type: VARCHAR, path: name}
                """);
        return catalog.replace("sources:\n", "sources:\n" + source) + tables;
    }

    @AfterAll
    static void stop() {
        gw.close();
        upstream.close();
    }

    @Test
    void followsRealLinkHeadersAcrossFivePagesIncludingTheRepositoriesIdForm() {
        Response r = gw.query(token, "SELECT count(*), count(DISTINCT issue_id), min(number), max(number) "
                + "FROM replay.paginate_issues", 0);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body().at("/rows/0/0").asInt()).isEqualTo(13);
        assertThat(r.body().at("/rows/0/1").asInt()).isEqualTo(13);
        JsonNode source = r.body().at("/metadata/sources/0");
        assertThat(source.get("pages").asInt()).isEqualTo(5);
        List<String> paths = upstream.seen("/repositories/1000/issues").stream()
                .map(FixtureServer.Seen::pathAndQuery).toList();
        assertThat(paths).contains("/repositories/1000/issues?per_page=3&page=2",
                "/repositories/1000/issues?per_page=3&page=5");
    }

    @Test
    void unchangedPagesAreRevalidatedWithTheirEtagAndReused() {
        String sql = "SELECT count(*) FROM replay.paginate_issues";
        gw.query(token, sql, 0);
        int before = upstream.seen.size();
        Response again = gw.query(token, sql, 0);
        assertThat(again.status()).as(again.text()).isEqualTo(200);
        List<FixtureServer.Seen> second = upstream.seen.subList(before, upstream.seen.size());
        assertThat(second).hasSize(5).allMatch(s -> s.status() == 304)
                .allMatch(s -> "\"00000000000000000000000000000000\"".equals(s.headers().getFirst("If-None-Match")));
        assertThat(again.body().at("/metadata/sources/0/rows").asInt()).isEqualTo(13);
    }

    @Test
    void sendsTheTokenAsBearerWithTheApiVersionHeader() {
        gw.query(token, "SELECT count(*) FROM replay.paginate_issues", 0);
        FixtureServer.Seen first = upstream.seen("/repos/octokit-fixture-org/paginate-issues/issues").get(0);
        assertThat(first.headers().getFirst("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(first.headers().getFirst("X-GitHub-Api-Version")).isEqualTo("2022-11-28");
        assertThat(first.headers().getFirst("Accept")).isEqualTo("application/vnd.github+json");
    }

    @Test
    void recordedValidationFailureIsSourceErrorWithTheUpstreamStatus() {
        Response r = gw.query(token, "SELECT name FROM replay.labels", 0);
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.errorCode()).isEqualTo("SOURCE_ERROR");
        assertThat(r.body().at("/error/source").asText()).isEqualTo("replay");
        assertThat(r.body().at("/error/upstream_status").asInt()).isEqualTo(422);
        assertThat(r.body().at("/error/message").asText()).contains("422").contains("Validation Failed");
    }

    @Test
    void usedUpPrimaryLimitWithResetAfterTheDeadlineIsRateLimitExhaustedNamingTheSource() {
        Response r = gw.query(token, "SELECT count(*) FROM replay.limited", 0);
        assertThat(r.status()).as(r.text()).isEqualTo(429);
        assertThat(r.errorCode()).isEqualTo("RATE_LIMIT_EXHAUSTED");
        assertThat(r.body().at("/error/source").asText()).isEqualTo("replay");
        assertThat(r.body().at("/error/retry_after_ms").asLong()).isGreaterThan(3_000_000L);
        assertThat(Long.parseLong(r.header("Retry-After"))).isGreaterThan(3000);
        // No sleeping towards a reset an hour away: one attempt only.
        assertThat(upstream.seen("/repos/octokit-fixture-org/limited/issues")).hasSize(1);
    }

    @Test
    void droppedConnectionIsRetried() {
        Response r = gw.query(token, "SELECT title FROM replay.flaky", 0);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body().at("/rows/0/0").asText()).isEqualTo("after reset");
        assertThat(upstream.seen("/repos/octokit-fixture-org/flaky/issues").size()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void bodyShorterThanItsContentLengthIsAnErrorNotFewerRows() {
        Response r = gw.query(token, "SELECT count(*) FROM replay.cut", 0);
        assertThat(r.status()).as(r.text()).isEqualTo(502);
        assertThat(r.errorCode()).isEqualTo("SOURCE_ERROR");
        assertThat(r.body().at("/error/source").asText()).isEqualTo("replay");
        // retries: 2 -> three attempts in all; the JDK client may itself resend a GET once on a cut connection.
        assertThat(upstream.seen("/repos/octokit-fixture-org/cut/issues").size()).isBetween(3, 6);
    }
}
