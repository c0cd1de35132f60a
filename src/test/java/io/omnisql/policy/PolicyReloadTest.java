package io.omnisql.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import io.omnisql.sim.DemoData;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PolicyReloadTest {
    private GatewayHarness gw;
    private String analyst;
    private long mobileIssues;
    private long webIssues;

    @BeforeEach
    void start() throws Exception {
        gw = GatewayHarness.start();
        analyst = gw.token("alice", "mobile", "analyst", "");
        DemoData data = gw.gateway().simulators().data();
        mobileIssues = data.issues().stream().filter(i -> "mobile".equals(i.team())).count();
        webIssues = data.issues().stream().filter(i -> "web".equals(i.team())).count();
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    private long issues(String token) {
        Response r = gw.query(token, "SELECT count(*) FROM jira.issues");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.body().at("/rows/0/0").asLong();
    }

    @Test
    void policyEditTakesEffectWithoutRestart() throws Exception {
        assertThat(issues(analyst)).isEqualTo(mobileIssues);
        String reason = "          reason: contractors have no access to Jira data\n";
        String pause = "        - name: analysts_paused\n          when: {roles: analyst}\n";
        assertThat(gw.edit("policies.yaml", t -> t.replace(reason, reason + pause))).isTrue();
        Response denied = gw.query(analyst, "SELECT count(*) FROM jira.issues");
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.body().at("/error/rule").asText()).isEqualTo("analysts_paused");

        // The Jira filter is the last one in the file.
        assertThat(gw.edit("policies.yaml", t -> {
            String unpaused = t.replace(pause, "");
            int last = unpaused.lastIndexOf("team_id = principal.team");
            return unpaused.substring(0, last) + "team_id = 'web'" + unpaused.substring(last + "team_id = principal.team".length());
        })).isTrue();
        assertThat(issues(analyst)).isEqualTo(webIssues);
    }

    @Test
    void invalidPolicyEditIsRejectedAndTheOldPolicyKeepsServing() throws Exception {
        assertThat(gw.edit("policies.yaml", t -> t.replace("team_id = principal.team", "teamid = principal.team"))).isFalse();
        assertThat(issues(analyst)).isEqualTo(mobileIssues);
        assertThat(gw.edit("policies.yaml", t -> t.replace("mask: partial", "mask: scramble"))).isFalse();
        assertThat(issues(analyst)).isEqualTo(mobileIssues);
        Response r = gw.query(analyst, "SELECT DISTINCT assignee_email FROM jira.issues WHERE assignee_email IS NOT NULL");
        assertThat(r.body().get("rows").toString()).contains("***@acme.example").doesNotContain("\"" + "amelia");
    }

    @Test
    void everyMaskKindRendersInDuckDb() throws Exception {
        // A table's own column rules come before its tags' rules: redact wins over the pii.email tag's partial mask.
        assertThat(gw.edit("policies.yaml", t -> t.replace("  tables:\n", "  tables:\n    jira.issues:\n      columns:\n"
                + "        assignee_email: {mask: redact}\n        summary: {mask: hash}\n        created_at: {mask: null}\n"
                        + "        assignee: [{mask: hash, when: {roles: analyst}}, {deny: true, when: {roles: analyst}}]\n"))).isTrue();
        DemoData.Issue issue = gw.gateway().simulators().data().issues().stream()
                .filter(i -> "mobile".equals(i.team()) && i.assignee() != null).findFirst().orElseThrow();
        Response r = gw.query(analyst, "SELECT summary, assignee_email, created_at FROM jira.issues WHERE key = '" + issue.key() + "'");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body().at("/rows/0/0").asText()).isEqualTo(sha256(issue.summary()));
        assertThat(r.body().at("/rows/0/1").asText()).isIn("***", "null");
        assertThat(r.body().at("/rows/0/2").isNull()).isTrue();
        assertThat(r.body().at("/columns/2/type").asText()).isEqualTo("TIMESTAMP");
        // A denial beats a mask of the same column.
        assertThat(gw.query(analyst, "SELECT assignee FROM jira.issues").body().at("/error/column").asText()).isEqualTo("assignee");
    }

    @Test
    void allowRulesAndDefaultDenyLimitWhoReadsATable() throws Exception {
        assertThat(gw.edit("policies.yaml", t -> t.replace("{name: staff_read_jira, when: everyone}", "{name: mobile_only, when: {teams: mobile}}")
                .replace("    github.pull_requests:\n      allow:\n        - {name: staff_read_pull_requests, when: everyone}\n", "")))
                .isTrue();
        assertThat(issues(analyst)).isEqualTo(mobileIssues);
        Response web = gw.query(gw.token("bob", "web", "analyst", ""), "SELECT count(*) FROM jira.issues");
        assertThat(web.status()).isEqualTo(403);
        assertThat(web.body().at("/error/message").asText()).contains("mobile_only");
        Response github = gw.query(analyst, "SELECT count(*) FROM github.pull_requests");
        assertThat(github.status()).isEqualTo(403);
        assertThat(github.body().at("/error/rule").asText()).isEqualTo("default_access");
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
