package io.omnisql.connector;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;

/** Source credentials reach the upstream request headers and nothing else: not answers, explain, metrics or logs. */
class SecretsTest {
    private static final String GITHUB = "ghp_SECRETMARKERgithub0123456789";
    private static final String JIRA = "ATATT_SECRETMARKERjira0123456789";
    private static final String JIRA_DC = "PAT_SECRETMARKERjiradc0123456789";
    private static final String EMAIL = "svc-omnisql@example.com";

    @Test
    void markersAppearInNoAnswerExplainMetricOrLogRecord() throws Exception {
        List<String> logged = new CopyOnWriteArrayList<>();
        SimpleFormatter format = new SimpleFormatter();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                StringWriter trace = new StringWriter();
                if (record.getThrown() != null) {
                    record.getThrown().printStackTrace(new PrintWriter(trace));
                }
                logged.add(record.getLoggerName() + " " + record.getLevel() + " " + format.format(record) + trace);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(Level.ALL);
        // Everything the gateway's own code logs, at every level, plus all other loggers at their default level.
        // (Helidon's FINE wire logging of received headers is left off: in this test it would show the embedded
        // simulators, which stand in for GitHub and Jira, receiving the token - the upstream's side of the call.)
        Logger root = Logger.getLogger("");
        Logger own = Logger.getLogger("io.omnisql");
        Level ownLevel = own.getLevel();
        root.addHandler(capture);
        own.setLevel(Level.ALL);
        List<String> seen = new ArrayList<>();
        try (GatewayHarness gw = GatewayHarness.start((file, text) -> text.replace("pull_requests: 5000", "pull_requests: 600")
                        .replace("issues: 10000", "issues: 800"),
                Map.of("GITHUB_TOKEN", GITHUB, "JIRA_API_TOKEN", JIRA, "JIRA_EMAIL", EMAIL, "JIRA_DC_PAT", JIRA_DC))) {
            String token = gw.token();
            List<String> sqls = List.of(
                    "SELECT count(*) FROM github.pull_requests WHERE repo = 'acme/infra'",
                    "SELECT number, author_email FROM github.pull_requests WHERE repo = 'acme/infra' AND number < 3",
                    "SELECT key FROM jira.issues WHERE status = 'Done' AND project = 'MOB'",
                    "SELECT key FROM jira_dc.issues WHERE project = 'WEB'",
                    "SELECT key FROM jira.issues WHERE status = 'no such status'",
                    "SELECT nope FROM github.pull_requests");
            for (String sql : sqls) {
                seen.add(gw.query(token, sql, 0).text());
                seen.add(gw.post("/v1/explain", token, GatewayHarness.JSON.createObjectNode().put("sql", sql).toString()).text());
            }
            gw.edit("catalog.yaml", text -> text.replace("    pull_requests: 600\n",
                    "    pull_requests: 600\n    faults: {error_every: 1, error_status: 500}\n")
                    .replace("    issues: 800\n", "    issues: 800\n    faults: {malformed_every: 1}\n"));
            Response failing = gw.query(token, "SELECT count(*) FROM github.pull_requests WHERE state = 'open'", 0);
            assertThat(failing.errorCode()).isEqualTo("SOURCE_ERROR");
            seen.add(failing.text());
            seen.add(gw.query(token, "SELECT count(*) FROM jira.issues WHERE project = 'PLAT'", 0).text());
            seen.add(gw.query(token, "SELECT count(*) FROM jira_dc.issues WHERE project = 'PLAT'", 0).text());
            seen.add(gw.get("/metrics", null).text());
        } finally {
            root.removeHandler(capture);
            own.setLevel(ownLevel);
        }
        String basic = Base64.getEncoder().encodeToString((EMAIL + ":" + JIRA).getBytes(StandardCharsets.UTF_8));
        assertThat(seen).hasSizeGreaterThan(12);
        assertThat(logged).anyMatch(s -> s.contains("omnisql"));
        for (String secret : List.of(GITHUB, JIRA, JIRA_DC, basic, "SECRETMARKER")) {
            assertThat(seen).noneMatch(s -> s.contains(secret));
            assertThat(logged).noneMatch(s -> s.contains(secret));
        }
    }
}
