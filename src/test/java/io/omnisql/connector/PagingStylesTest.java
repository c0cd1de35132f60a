package io.omnisql.connector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Onboarding by YAML alone: a Slack-style source (cursor inside the body) and a PagerDuty-style source (offset and
 * a {@code more} flag), each on a loopback server that checks a header secret read from a file; the files are
 * rotated while the gateway runs. And a POST search (Jira's POST /search/jql) answering like its GET.
 */
class PagingStylesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHANNELS = 250;
    private static final int INCIDENTS = 230;

    @TempDir
    Path dir;

    /** A loopback API: its current valid secret, and the query strings it was sent. */
    private static final class Api implements AutoCloseable {
        final HttpServer server;
        volatile String secret;
        final List<String> seen = new CopyOnWriteArrayList<>();

        Api(String secret, String path, Answer answer) throws IOException {
            this.secret = secret;
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext(path, ex -> {
                seen.add(ex.getRequestURI().getRawQuery());
                Map<String, String> q = new HashMap<>();
                String raw = ex.getRequestURI().getRawQuery();
                for (String part : raw == null ? new String[0] : raw.split("&")) {
                    int eq = part.indexOf('=');
                    q.put(part.substring(0, eq), URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
                }
                int[] status = {200};
                ObjectNode body = answer.answer(ex, q, status, this.secret);
                byte[] bytes = JSON.writeValueAsBytes(body);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(status[0], bytes.length);
                ex.getResponseBody().write(bytes);
                ex.close();
            });
            server.start();
        }

        String base() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @FunctionalInterface
    private interface Answer {
        ObjectNode answer(HttpExchange ex, Map<String, String> query, int[] status, String secret);
    }

    /** Slack conversations.list: limit + cursor; an invalid token is HTTP 200 with ok=false, like Slack. */
    private static ObjectNode slack(HttpExchange ex, Map<String, String> q, int[] status, String secret) {
        ObjectNode out = JSON.createObjectNode();
        if (!("Bearer " + secret).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            return out.put("ok", false).put("error", "invalid_auth");
        }
        int limit = Integer.parseInt(q.getOrDefault("limit", "100"));
        int from = q.containsKey("cursor") ? Integer.parseInt(new String(java.util.Base64.getDecoder()
                .decode(q.get("cursor")), StandardCharsets.UTF_8).substring("id:".length())) : 0;
        out.put("ok", true);
        ArrayNode channels = out.putArray("channels");
        for (int i = from; i < Math.min(CHANNELS, from + limit); i++) {
            channels.addObject().put("id", "C" + (1000 + i)).put("name", "chan-" + i).put("is_archived", i % 10 == 0)
                    .putObject("topic").put("value", "topic " + i);
        }
        String next = from + limit < CHANNELS ? java.util.Base64.getEncoder()
                .encodeToString(("id:" + (from + limit)).getBytes(StandardCharsets.UTF_8)) : "";
        out.putObject("response_metadata").put("next_cursor", next);
        return out;
    }

    /** PagerDuty incidents: offset/limit/more; Authorization: Token token=...; a bad token is 401. */
    private static ObjectNode pagerduty(HttpExchange ex, Map<String, String> q, int[] status, String secret) {
        ObjectNode out = JSON.createObjectNode();
        if (!("Token token=" + secret).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            status[0] = 401;
            out.putObject("error").put("message", "Unauthorized").put("code", 2006);
            return out;
        }
        int limit = Integer.parseInt(q.getOrDefault("limit", "25"));
        int offset = Integer.parseInt(q.getOrDefault("offset", "0"));
        ArrayNode incidents = out.putArray("incidents");
        for (int i = offset; i < Math.min(INCIDENTS, offset + limit); i++) {
            incidents.addObject().put("id", "P" + i).put("incident_number", i + 1)
                    .put("urgency", i % 3 == 0 ? "high" : "low").put("created_at", "2025-01-0" + (1 + i % 9) + "T10:00:00Z");
        }
        return out.put("limit", limit).put("offset", offset).put("more", offset + limit < INCIDENTS);
    }

    @Test
    void slackCursorAndPagerDutyOffsetSourcesWithFileSecretsThatRotate() throws Exception {
        Path slackToken = dir.resolve("slack-token");
        Path pdToken = dir.resolve("pd-token");
        Files.writeString(slackToken, "xoxb-first\n");
        Files.writeString(pdToken, "pd-first\n");
        Path slackTeam = dir.resolve("slack-team");
        Files.writeString(slackTeam, "T0SECRETTEAM\n");
        try (Api slackApi = new Api("xoxb-first", "/api/conversations.list", PagingStylesTest::slack);
             Api pdApi = new Api("pd-first", "/incidents", PagingStylesTest::pagerduty)) {
            String sources = "sources:\n"
                    + "  slack:\n"
                    + "    base_url: " + slackApi.base() + "/api\n"
                    + "    headers: {Authorization: \"Bearer ${file:" + slackToken + "}\"}\n"
                    + "    query_params: {team_id: \"${file:" + slackTeam + "}\"}\n"
                    + "    pagination: {style: cursor, page_size: 100}\n"
                    + "  pagerduty:\n"
                    + "    base_url: " + pdApi.base() + "\n"
                    + "    headers: {Authorization: \"Token token=${file:" + pdToken + "}\", Accept: application/json}\n"
                    + "    pagination: {style: offset, page_size: 100}\n";
            String tables = "tables:\n"
                    + "  slack.channels:\n"
                    + "    source: slack\n"
                    + "    path: /conversations.list\n"
                    + "    rows: channels\n"
                    + "    columns:\n"
                    + "      id: {type: VARCHAR, path: id}\n"
                    + "      name: {type: VARCHAR, path: name}\n"
                    + "      archived: {type: BOOLEAN, path: is_archived}\n"
                    + "      topic: {type: VARCHAR, path: topic.value}\n"
                    + "  pagerduty.incidents:\n"
                    + "    source: pagerduty\n"
                    + "    path: /incidents\n"
                    + "    rows: incidents\n"
                    + "    columns:\n"
                    + "      id: {type: VARCHAR, path: id}\n"
                    + "      number: {type: INTEGER, path: incident_number}\n"
                    + "      urgency: {type: VARCHAR, path: urgency}\n"
                    + "      created_at: {type: TIMESTAMP, path: created_at}\n";
            try (GatewayHarness gw = GatewayHarness.start((f, t) -> f.equals("catalog.yaml")
                    ? t.replaceFirst("(?m)^sources:\n", sources.replace("$", "\\$")).replaceFirst("(?m)^tables:\n", tables)
                    : openToEveryone(f, t, "slack.channels", "pagerduty.incidents"))) {
                String user = gw.token("ops", "platform", "admin", "");
                Response slack = gw.query(user, "SELECT count(*), count(DISTINCT id), sum(CASE WHEN archived THEN 1 ELSE 0 END),"
                        + " max(topic) FROM slack.channels", 0);
                assertThat(slack.status()).as(slack.text()).isEqualTo(200);
                assertThat(slack.body().at("/rows/0/0").asInt()).isEqualTo(CHANNELS);
                assertThat(slack.body().at("/rows/0/1").asInt()).isEqualTo(CHANNELS);
                assertThat(slack.body().at("/rows/0/2").asInt()).isEqualTo(CHANNELS / 10);
                assertThat(slack.body().at("/metadata/sources/0/pages").asInt()).isEqualTo(3);
                assertThat(slackApi.seen).hasSize(3).allMatch(q -> q.contains("team_id=T0SECRETTEAM"))
                        .first().asString().doesNotContain("cursor");

                Response pd = gw.query(user, "SELECT count(*), count(DISTINCT number), min(number), max(number)"
                        + " FROM pagerduty.incidents WHERE urgency = 'high'", 0);
                assertThat(pd.status()).as(pd.text()).isEqualTo(200);
                assertThat(pd.body().at("/rows/0/0").asInt()).isEqualTo((INCIDENTS + 2) / 3);
                assertThat(pd.body().at("/rows/0/3").asInt()).isEqualTo(229); // i = 228, numbered from 1
                assertThat(pdApi.seen).containsExactly("limit=100", "limit=100&offset=100", "limit=100&offset=200");

                // PagerDuty rotation: the key changes upstream and in the file; the 401 makes the gateway re-read it.
                pdApi.secret = "pd-second";
                Files.writeString(pdToken, "pd-second\n");
                Response rotated = gw.query(user, "SELECT count(*) FROM pagerduty.incidents", 0);
                assertThat(rotated.status()).as(rotated.text()).isEqualTo(200);
                assertThat(rotated.body().at("/rows/0/0").asInt()).isEqualTo(INCIDENTS);

                // Slack answers a bad token with HTTP 200 and ok=false: no rows array, a SOURCE_ERROR, never 0 rows.
                slackApi.secret = "xoxb-second";
                Response stale = gw.query(user, "SELECT count(*) FROM slack.channels WHERE name = 'chan-7'", 0);
                assertThat(stale.errorCode()).as(stale.text()).isEqualTo("SOURCE_ERROR");
                assertThat(stale.body().at("/error/message").asText()).contains("no row array").contains("invalid_auth");
                // The rotated file is read on the next reload.
                Files.writeString(slackToken, "xoxb-second\n");
                assertThat(gw.edit("catalog.yaml", t -> t.replace("name: {type: VARCHAR, path: name}",
                        "name: {type: VARCHAR, path: name, description: channel name}"))).isTrue();
                Response after = gw.query(user, "SELECT count(*) FROM slack.channels WHERE name = 'chan-7'", 0);
                assertThat(after.status()).as(after.text()).isEqualTo(200);
                assertThat(after.body().at("/rows/0/0").asInt()).isEqualTo(1);
                // The secret never shows: not in explain, not in answers.
                Response explain = gw.post("/v1/explain", user, GatewayHarness.JSON.createObjectNode()
                        .put("sql", "SELECT id FROM pagerduty.incidents").toString());
                assertThat(explain.text()).doesNotContain("pd-second").doesNotContain("xoxb");
                Response slackExplain = gw.post("/v1/explain", user, GatewayHarness.JSON.createObjectNode()
                        .put("sql", "SELECT id FROM slack.channels").toString());
                assertThat(slackExplain.text()).contains("conversations.list").doesNotContain("T0SECRETTEAM");
            }
        }
    }

    @Test
    void aPostSearchSendsParametersAsBodyFieldsAndAnswersLikeGet() throws Exception {
        String post = "  jira.issues_post:\n"
                + "    source: jira\n"
                + "    method: POST\n"
                + "    path: /rest/api/3/search/jql\n"
                + "    body: {fields: []}\n"
                + "    jql: {param: jql, base: \"project in (MOB, WEB, PLAT)\", order_by: \"ORDER BY key ASC\", time_zone: UTC}\n"
                + "    fields_param: fields\n"
                + "    rows: issues\n"
                + "    columns:\n"
                + "      key: {type: VARCHAR, path: key}\n"
                + "      status: {type: VARCHAR, path: fields.status.name, field: status,\n"
                + "               pushdown: {\"=\": {jql: status, values: [To Do, In Progress, In Review, Done]}}}\n";
        try (GatewayHarness gw = GatewayHarness.start((f, t) -> f.equals("catalog.yaml")
                ? t.replace("issues: 10000", "issues: 450").replaceFirst("(?m)^tables:\n", "tables:\n" + post)
                : openToEveryone(f, t, "jira.issues_post"))) {
            String user = gw.token("ops", "platform", "admin", "");
            Response viaPost = gw.query(user, "SELECT count(*), min(key), max(key) FROM jira.issues_post WHERE status = 'Done'", 0);
            Response viaGet = gw.query(user, "SELECT count(*), min(key), max(key) FROM jira.issues WHERE status = 'Done'", 0);
            assertThat(viaPost.status()).as(viaPost.text()).isEqualTo(200);
            assertThat(viaPost.body().get("rows")).isEqualTo(viaGet.body().get("rows"));
            assertThat(viaPost.body().at("/rows/0/0").asInt()).isPositive();
            // Pages of 100 out of 450 issues, followed by nextPageToken in the body.
            assertThat(viaPost.body().at("/metadata/sources/0/pages").asInt()).isGreaterThan(1);
        }
    }

    /** Tables are denied by default: the onboarded test tables get an allow rule for every signed-in caller. */
    private static String openToEveryone(String file, String text, String... tables) {
        if (!file.equals("policies.yaml")) {
            return text;
        }
        StringBuilder rules = new StringBuilder("  tables:\n");
        for (String table : tables) {
            rules.append("    ").append(table).append(":\n      allow:\n        - {name: test_read, when: everyone}\n");
        }
        return text.replaceFirst("(?m)^  tables:\n", rules.toString());
    }
}
