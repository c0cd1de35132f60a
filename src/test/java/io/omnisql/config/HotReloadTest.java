package io.omnisql.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.GatewayHarness;
import io.omnisql.LogCapture;
import io.omnisql.GatewayHarness.Response;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HotReloadTest {
    private GatewayHarness gw;
    private String token;
    private LogCapture capture;
    private List<String> log;

    @BeforeEach
    void start() throws Exception {
        gw = GatewayHarness.start();
        token = gw.token();
        capture = LogCapture.of("omnisql.config");
        log = capture.lines();
    }

    @AfterEach
    void stop() {
        capture.close();
        gw.close();
    }

    @Test
    void addedColumnIsQueryableWithoutRestart() throws Exception {
        assertThat(gw.query(token, "SELECT issue_url FROM jira.issues LIMIT 1").errorCode()).isEqualTo("UNKNOWN_COLUMN");
        boolean applied = gw.edit("catalog.yaml", t -> t.replace(
                "      issue_id:       {type: VARCHAR,   path: id}\n",
                "      issue_id:       {type: VARCHAR,   path: id}\n      issue_url:      {type: VARCHAR,   path: self}\n"));
        assertThat(applied).isTrue();
        Response r = gw.query(token, "SELECT issue_url FROM jira.issues WHERE project = 'MOB' LIMIT 1");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body().at("/rows/0/0").asText()).contains("/rest/api/3/issue/");
    }

    @Test
    void invalidEditIsRejectedWithFileAndLineAndOldConfigKeepsServing() throws Exception {
        long version = gw.gateway().config().current().version();
        boolean applied = gw.edit("catalog.yaml", t -> t.replace("source: jira\n", "source: jiraa\n"));
        assertThat(applied).isFalse();
        assertThat(gw.gateway().config().current().version()).isEqualTo(version);
        assertThat(log).anySatisfy(line -> assertThat(line)
                .contains("config reload rejected").containsPattern("catalog.yaml:\\d+").contains("unknown source 'jiraa'"));
        assertThat(gw.query(token, "SELECT count(*) FROM jira.issues WHERE project = 'MOB'").status()).isEqualTo(200);
    }

    @Test
    void brokenYamlAndWrongTypesAreRejected() throws Exception {
        assertThat(gw.edit("catalog.yaml", t -> t + "\n  : [unclosed\n")).isFalse();
        assertThat(log).anySatisfy(line -> assertThat(line).containsPattern("catalog.yaml:\\d+").contains("invalid YAML"));
        assertThat(gw.edit("catalog.yaml", t -> t.replace("{type: INTEGER,   path: number}", "{type: INTEGR, path: number}")
                .replace("\n  : [unclosed\n", ""))).isFalse();
        assertThat(log).anySatisfy(line -> assertThat(line).contains("columns.number.type").contains("unknown type"));
        assertThat(gw.edit("catalog.yaml", t -> t.replace("{type: INTEGR, path: number}", "{type: INTEGER,   path: number}")))
                .isTrue();
        assertThat(gw.edit("ratelimits.yaml", t -> t.replaceFirst("burst: 50", "burst: -5"))).isFalse();
        assertThat(log).anySatisfy(line -> assertThat(line).contains("ratelimits.yaml"));
        assertThat(gw.query(token, "SELECT number FROM github.pull_requests WHERE repo = 'acme/infra' LIMIT 1").status())
                .isEqualTo(200);
    }

    @Test
    void fixedEditAfterARejectedOneIsApplied() throws Exception {
        assertThat(gw.edit("catalog.yaml", t -> t.replace("max_result_rows: 100000", "max_result_rows: many"))).isFalse();
        assertThat(gw.edit("catalog.yaml", t -> t.replace("max_result_rows: many", "max_result_rows: 3"))).isTrue();
        // The token's team is mobile: policies keep it to mobile's issues.
        Response r = gw.query(token, "SELECT key FROM jira.issues WHERE project = 'MOB'");
        assertThat(r.body().get("rows").size()).isEqualTo(3);
        assertThat(r.body().at("/metadata/warnings").toString()).contains("max_result_rows");
    }
}
