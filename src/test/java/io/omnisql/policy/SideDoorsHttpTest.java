package io.omnisql.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.omnisql.Gateway;
import io.omnisql.GatewayHarness;
import io.omnisql.LogCapture;
import io.omnisql.GatewayHarness.Response;
import io.omnisql.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Over HTTP, each way governance used to fail open: edits, new tables, the demo issuer, jira_dc. */
class SideDoorsHttpTest {
    private static final String ONBOARDED = """
              github.pull_requests_mirror:
                source: github
                path: /repos/{repo}/pulls
                params: {state: open}
                fan_out: [{var: repo, column: repo, values: [acme/mobile-app, acme/web-app]}]
                columns:
                  repo:         {type: VARCHAR, path: base.repo.full_name}
                  number:       {type: INTEGER, path: number}
                  team_id:      {type: VARCHAR, path: user.login, mapping: author_teams, tags: [team]}
                  author_email: {type: VARCHAR, tags: [pii.email], per_row: {path: "/repos/{repo}/pulls/{number}/commits", value: "[0].commit.author.email"}}
            """;

    private LogCapture capture;
    private List<String> log;
    private GatewayHarness gw;
    @TempDir
    Path dir;

    @BeforeEach
    void listen() {
        capture = LogCapture.of("omnisql.config");
        log = capture.lines();
    }

    @AfterEach
    void stop() {
        capture.close();
        if (gw != null) {
            gw.close();
        }
    }

    private long count(String token, String sql) {
        Response r = gw.query(token, sql);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.body().at("/rows/0/0").asLong();
    }

    @Test
    void emptiedOrTruncatedPoliciesAreRejectedAndTheRulesKeepServing() throws Exception {
        gw = GatewayHarness.start();
        String analyst = gw.token("alice", "mobile", "analyst", "");
        String teams = "SELECT count(DISTINCT team_id) FROM github.pull_requests";
        String shipped = Files.readString(gw.configDir().resolve("policies.yaml"));
        assertThat(count(analyst, teams)).isEqualTo(1);

        assertThat(gw.edit("policies.yaml", t -> "")).isFalse();
        assertThat(log).anySatisfy(l -> assertThat(l).contains("config reload rejected").contains("policies.yaml:1")
                .contains("empty"));
        assertThat(count(analyst, teams)).isEqualTo(1);

        assertThat(gw.edit("policies.yaml", t -> shipped.substring(0, shipped.indexOf("policies:\n")))).isFalse();
        assertThat(log).anySatisfy(l -> assertThat(l).contains("no 'policies:' section"));
        assertThat(count(analyst, teams)).isEqualTo(1);
        Response jira = gw.query(gw.token("cora", "mobile", "contractor", ""), "SELECT count(*) FROM jira.issues");
        assertThat(jira.body().at("/error/rule").asText()).isEqualTo("contractors_no_jira");
    }

    @Test
    void duplicateKeysAreRejectedWithBothLines() throws Exception {
        gw = GatewayHarness.start();
        String analyst = gw.token("alice", "mobile", "analyst", "");
        assertThat(gw.edit("policies.yaml", t -> t + "  default_access: allow\n")).isFalse();
        int second = Files.readString(gw.configDir().resolve("policies.yaml")).split("\n", -1).length - 1;
        assertThat(log).anySatisfy(l -> assertThat(l).contains("policies.yaml:" + second)
                .contains("duplicate key 'policies.default_access'").containsPattern("first on line \\d+"));
        Response r = gw.query(analyst, "SELECT count(DISTINCT team_id) FROM jira.issues");
        assertThat(r.body().at("/rows/0/0").asLong()).isEqualTo(1);

        // At start-up the same file is fatal.
        copyShipped((f, t) -> f.equals("ratelimits.yaml") ? t + "gateway:\n  default: {burst: 1, refill_per_second: 1}\n" : t);
        assertThatThrownBy(() -> start(dir, "127.0.0.1", 0)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("ratelimits.yaml:").hasMessageContaining("duplicate key 'gateway'");
    }

    @Test
    void aTableNoRuleOpensIsDeniedAndItsTagsGovernItOnceOpened() throws Exception {
        gw = GatewayHarness.start();
        String analyst = gw.token("alice", "mobile", "analyst", "");
        assertThat(gw.edit("catalog.yaml", t -> t + ONBOARDED)).isTrue();
        Response denied = gw.query(analyst, "SELECT count(*) FROM github.pull_requests_mirror");
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.errorCode()).isEqualTo("ENTITLEMENT_DENIED");
        assertThat(denied.body().at("/error/rule").asText()).isEqualTo("default_access");
        assertThat(denied.body().at("/error/message").asText()).contains("policies.tables.github.pull_requests_mirror.allow");
        // Not listed in the catalog either.
        assertThat(gw.get("/v1/catalog", analyst).text()).doesNotContain("pull_requests_mirror");

        assertThat(gw.edit("policies.yaml", t -> t + "    github.pull_requests_mirror:\n      allow: [{name: mirror, when: everyone}]\n"))
                .isTrue();
        Response r = gw.query(analyst, "SELECT team_id, author_email FROM github.pull_requests_mirror");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body().get("rows")).isNotEmpty();
        r.body().get("rows").forEach(row -> {
            assertThat(row.get(0).asText()).isEqualTo("mobile");
            assertThat(row.get(1).asText()).startsWith("***@");
        });
        assertThat(r.body().at("/metadata/policies").toString()).contains("own_team").contains("pii_email");
    }

    @Test
    void aSensitiveTagWithoutAMaskIsRejectedOnReloadAndAtStartUp() throws Exception {
        gw = GatewayHarness.start();
        assertThat(gw.edit("catalog.yaml", t -> t.replace("path: fields.summary, field: summary}",
                "path: fields.summary, field: summary, tags: [pii.free_text]}"))).isFalse();
        assertThat(log).anySatisfy(l -> assertThat(l).contains("policies.yaml:")
                .contains("jira.issues.summary is tagged pii.free_text").contains("no rule masks or denies it"));
        copyShipped((f, t) -> f.equals("catalog.yaml") ? t.replace("path: fields.summary, field: summary}",
                "path: fields.summary, field: summary, tags: [pii.free_text]}") : t);
        assertThatThrownBy(() -> start(dir, "127.0.0.1", 0)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("pii.free_text");
    }

    @Test
    void jiraDataCenterIsGovernedLikeJiraCloud() throws Exception {
        gw = GatewayHarness.start();
        Response contractor = gw.query(gw.token("cora", "mobile", "contractor", ""),
                "SELECT key, assignee_email FROM jira_dc.issues");
        assertThat(contractor.status()).isEqualTo(403);
        assertThat(contractor.body().at("/error/rule").asText()).isEqualTo("contractors_no_jira");
        String analyst = gw.token("alice", "mobile", "analyst", "");
        Response r = gw.query(analyst, "SELECT team_id, assignee_email FROM jira_dc.issues WHERE assignee_email IS NOT NULL");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body().get("rows")).isNotEmpty();
        r.body().get("rows").forEach(row -> {
            assertThat(row.get(0).asText()).isEqualTo("mobile");
            assertThat(row.get(1).asText()).startsWith("***@");
        });
    }

    @Test
    void theDemoIssuerNeverComesBackThroughAReload() throws Exception {
        gw = GatewayHarness.start((f, t) -> f.equals("policies.yaml") ? t.replace(
                "  demo_issuer: {enabled: true, token_ttl_s: 3600}\n",
                "  issuer: https://login.example.com/realms/acme\n  demo_issuer: {enabled: false}\n") : t);
        assertThat(gw.get("/dev/token?sub=mallory&roles=admin&scopes=PII_ACCESS", null).status()).isEqualTo(404);
        String configured = Files.readString(gw.configDir().resolve("policies.yaml"));
        assertThat(gw.edit("policies.yaml", t -> "")).isFalse();
        assertThat(gw.get("/dev/token?sub=mallory&roles=admin&scopes=PII_ACCESS", null).status()).isEqualTo(404);
        // Dropping the line leaves it off: off is the default.
        assertThat(gw.edit("policies.yaml", t -> configured.replace("  demo_issuer: {enabled: false}\n", ""))).isTrue();
        assertThat(gw.get("/dev/token?sub=mallory&roles=admin&scopes=PII_ACCESS", null).status()).isEqualTo(404);
        // Without an issuer and without the demo issuer nothing could sign in: refused, the company issuer stays.
        assertThat(gw.edit("policies.yaml", t -> t.replace("  issuer: https://login.example.com/realms/acme\n", ""))).isFalse();
        assertThat(log).anySatisfy(l -> assertThat(l).contains("identity.issuer: required"));
        assertThat(gw.get("/dev/token?sub=mallory", null).status()).isEqualTo(404);
    }

    @Test
    void theDemoIssuerRunsOnlyOnALoopbackListener() throws Exception {
        copyShipped((f, t) -> t);
        assertThatThrownBy(() -> start(dir, "0.0.0.0", 0)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("policies.yaml:").hasMessageContaining("identity.demo_issuer.enabled")
                .hasMessageContaining("loopback");
    }

    @Test
    void aBusyPortStopsStartUpWithAMessageNamingThePort() throws Exception {
        copyShipped((f, t) -> t);
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> start(dir, "127.0.0.1", port)).isInstanceOf(Gateway.StartException.class)
                    .hasMessageContaining("127.0.0.1:" + port);
            // The process entry point exits non-zero instead of running without a listener.
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), "io.omnisql.Main").redirectErrorStream(true)
                    .redirectOutput(dir.resolve("main.log").toFile()).directory(dir.toFile());
            pb.environment().put("PORT", String.valueOf(port));
            pb.environment().put("HOST", "127.0.0.1");
            pb.environment().put("OMNISQL_CONFIG_DIR", dir.toString());
            Process p = pb.start();
            p.getOutputStream().close();
            ProcessHandle handle = p.toHandle();
            try {
                assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("Main still running with port " + port + " taken")
                        .isTrue();
            } finally {
                handle.destroyForcibly();
            }
            assertThat(p.exitValue()).isNotZero();
            assertThat(Files.readString(dir.resolve("main.log"))).contains("cannot start").contains(":" + port);
        }
    }

    @Test
    void anEditThatNeedsARestartSaysSoInTheLogAndMetrics() throws Exception {
        gw = GatewayHarness.start();
        String metric = "config_restart_pending\\{section=\"defaults.duckdb_memory_limit\",?} ";
        assertThat(gw.get("/metrics", null).text()).containsPattern(metric + "0.0");
        assertThat(gw.edit("catalog.yaml", t -> t.replace("duckdb_memory_limit: 2GB", "duckdb_memory_limit: 3GB"))).isTrue();
        assertThat(log).anySatisfy(l -> assertThat(l).contains("config reload applied").contains("needs restart: defaults.duckdb_memory_limit"));
        assertThat(gw.get("/metrics", null).text()).containsPattern(metric + "1.0")
                .containsPattern("config_restart_pending\\{section=\"tables\",?} 0.0");
        // Editing it back to the running value clears it.
        assertThat(gw.edit("catalog.yaml", t -> t.replace("duckdb_memory_limit: 3GB", "duckdb_memory_limit: 2GB"))).isTrue();
        assertThat(gw.get("/metrics", null).text()).containsPattern(metric + "0.0");
        // Every top-level section of the shipped files is declared hot or restart-only.
        var tree = io.omnisql.config.YamlTree.parse("catalog.yaml", Files.readString(Path.of("catalog.yaml")));
        assertThat(gw.gateway().config().sections()).containsKeys(tree.root().keySet().toArray(String[]::new))
                .containsKeys("identity", "policies", "ratelimits");
    }

    private void copyShipped(GatewayHarness.FileEdit edit) throws Exception {
        for (String f : new String[] {"catalog.yaml", "policies.yaml", "ratelimits.yaml"}) {
            Files.writeString(dir.resolve(f), edit.apply(f, Files.readString(Path.of(f))));
        }
    }

    private static void start(Path dir, String host, int port) throws Exception {
        Gateway g = Gateway.start(new Gateway.Options(dir, host, port, 100_000, Map.<String, String>of()::get));
        g.close();
        throw new AssertionError("started on " + host + ":" + port);
    }
}
