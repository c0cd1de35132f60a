package io.omnisql.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import io.omnisql.sim.SimulatorStats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Join-driven pushdown on the shipped demo: a selective seed (Jira Cloud issues of one assignee, under the
 * principal's team row filter) joined on key to Jira Data Center issues sends the seed's keys as
 * {@code key IN (...)}, spends fewer Data Center requests than the full scan, and answers exactly what the
 * full-scan plan answers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JoinPushdownHttpTest {
    private static GatewayHarness gw;
    private static String token;
    private static String sql;
    private static String assignee;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
        token = gw.token();
        Response who = gw.query(token, "SELECT assignee FROM jira.issues WHERE project = 'MOB' AND assignee IS NOT NULL "
                + "ORDER BY key LIMIT 1");
        assertThat(who.status()).as(who.text()).isEqualTo(200);
        assignee = who.body().at("/rows/0/0").asText();
        sql = "SELECT i.key, i.status, d.summary, d.status AS dc_status FROM jira.issues i "
                + "JOIN jira_dc.issues d ON d.key = i.key WHERE i.project = 'MOB' AND i.assignee = '" + assignee.replace("'", "''") + "' "
                + "AND i.status = 'In Review' ORDER BY i.key";
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static Response live(String statement) {
        ObjectNode body = GatewayHarness.JSON.createObjectNode().put("sql", statement).put("max_staleness_ms", 0);
        Response r = gw.post("/v1/query", token, body.toString());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r;
    }

    private static JsonNode explain(String statement) {
        ObjectNode body = GatewayHarness.JSON.createObjectNode().put("sql", statement).put("max_staleness_ms", 0);
        Response r = gw.post("/v1/explain", token, body.toString());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.body();
    }

    private static long dcPages() {
        SimulatorStats s = gw.gateway().simulators().stats();
        return s.jiraDcSearchPages();
    }

    private static JsonNode target(Response r) {
        for (JsonNode s : r.body().at("/metadata/sources")) {
            if (s.get("table").asText().equals("jira_dc.issues")) {
                return s;
            }
        }
        throw new AssertionError("no jira_dc.issues in " + r.text());
    }

    @Test
    @Order(1) // first: it needs the target never fetched yet
    void seedKeysNarrowTheOtherSourceAndTheAnswerStaysTheSame() throws Exception {
        // No last fetch of the full scan yet: nothing to compare with, so the first run scans in full.
        assertThat(explain(sql).get("join_pushdown")).isEmpty();
        long before = dcPages();
        Response full = live(sql);
        long fullPages = dcPages() - before;
        assertThat(full.body().get("rows")).isNotEmpty();
        assertThat(target(full).get("pushed_filters").toString()).doesNotContain("keys of i.key");

        JsonNode plan = explain(sql).get("join_pushdown");
        assertThat(plan).hasSize(1);
        JsonNode choice = plan.get(0);
        assertThat(choice.get("seed").asText()).isEqualTo("i");
        assertThat(choice.get("target").asText()).isEqualTo("d");
        assertThat(choice.get("choice").asText()).as(choice.toString()).isEqualTo("pushed");
        assertThat(choice.get("full_scan_requests").asLong()).isEqualTo(fullPages);
        assertThat(choice.get("pushed_requests").asLong()).isPositive().isLessThan(fullPages);
        // The keys are those the principal sees of the seed: one per distinct joined seed row here.
        assertThat(choice.get("keys").asInt()).isEqualTo(full.body().get("rows").size());

        before = dcPages();
        Response pushed = live(sql);
        long pushedPages = dcPages() - before;
        assertThat(pushedPages).isEqualTo(choice.get("pushed_requests").asLong()).isLessThan(fullPages);
        assertThat(target(pushed).get("pushed_filters").toString()).contains("d.key IN (" + choice.get("keys").asInt()
                + " keys of i.key)");
        assertThat(pushed.body().get("rows")).isEqualTo(full.body().get("rows"));

        // Switched off: the same answer from a full scan again, and explain says why.
        assertThat(gw.edit("catalog.yaml", c -> c.replace("defaults:\n", "defaults:\n  join_pushdown: false\n"))).isTrue();
        try {
            assertThat(explain(sql).at("/join_pushdown/0/choice").asText()).isEqualTo("disabled");
            before = dcPages();
            Response off = live(sql);
            assertThat(dcPages() - before).isEqualTo(fullPages);
            assertThat(off.body().get("rows")).isEqualTo(full.body().get("rows"));
        } finally {
            assertThat(gw.edit("catalog.yaml", c -> c.replace("defaults:\n  join_pushdown: false\n", "defaults:\n"))).isTrue();
        }
    }

    @Test
    void anOuterJoinNeverNarrowsItsPreservedSide() {
        String left = "SELECT d.key, i.status FROM jira_dc.issues d LEFT JOIN jira.issues i ON i.key = d.key "
                + "WHERE d.project = 'WEB'";
        live(left);
        assertThat(explain(left).get("join_pushdown")).isEmpty();
    }

    @Test
    void aMaskedJoinColumnSendsNoKeys() throws Exception {
        live(sql); // a last fetch of both sides, so only the mask can stand in the way
        assertThat(explain(sql).get("join_pushdown")).isNotEmpty();
        assertThat(gw.edit("policies.yaml", p -> p.replace("  tables:\n", "  tables:\n    jira_dc.issues:\n"
                + "      columns:\n        key: {name: key_partial, mask: partial}\n"))).isTrue();
        try {
            assertThat(explain(sql).get("join_pushdown")).isEmpty();
            long before = dcPages();
            Response masked = live(sql);
            assertThat(target(masked).get("pushed_filters").toString()).doesNotContain("keys of");
            assertThat(dcPages() - before).isGreaterThan(3);
        } finally {
            assertThat(gw.edit("policies.yaml", p -> p.replace("    jira_dc.issues:\n"
                    + "      columns:\n        key: {name: key_partial, mask: partial}\n", ""))).isTrue();
        }
    }

    @Test
    void keysComeOnlyFromSeedRowsThePrincipalMaySee() throws Exception {
        live(sql);
        assertThat(explain(sql).at("/join_pushdown/0/keys").asInt()).isPositive();
        // A row filter DuckDB applies (assignee has no pushdown): the seed's fetch still holds those rows raw.
        String filter = "    jira.issues:\n      row_filters:\n        - name: not_them\n          where: assignee != '"
                + assignee.replace("'", "''") + "'\n";
        assertThat(gw.edit("policies.yaml", p -> p.replace("  tables:\n", "  tables:\n" + filter))).isTrue();
        try {
            JsonNode choice = explain(sql).at("/join_pushdown/0");
            assertThat(choice.get("keys").asInt()).as(choice.toString()).isZero();
            assertThat(choice.get("choice").asText()).isEqualTo("full_scan");
            assertThat(live(sql).body().get("rows")).isEmpty();
        } finally {
            assertThat(gw.edit("policies.yaml", p -> p.replace(filter, ""))).isTrue();
        }
    }
}
