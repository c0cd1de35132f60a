package io.omnisql.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.GatewayHarness;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Debian's psql against the wire listener: a query, {@code \dt}, {@code \d}, SQLSTATEs, and a connection that
 * keeps working after an error. psql is required ({@code bin/ensure-psql} installs it): a missing psql fails.
 */
class PsqlWireTest {
    private static GatewayHarness gw;
    private static String psql;

    @BeforeAll
    static void start() throws Exception {
        psql = psqlBinary();
        gw = GatewayHarness.start();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    /** psql is required, not optional: unlike other tools, a missing one fails the test in CI and outside it. */
    static String psqlBinary() {
        List<Path> candidates = io.omnisql.RequiredTool.candidates("PSQL_BIN", "psql", Path.of("/usr/bin/psql"));
        return candidates.stream().filter(Files::isExecutable).findFirst().map(Path::toString)
                .orElseThrow(() -> new AssertionError("no psql (looked at " + candidates
                        + "): run bin/ensure-psql (apt-get install postgresql-client) or set PSQL_BIN"));
    }

    private record Run(int exit, String out) {
    }

    private Run psql(String token, String user, String... args) throws IOException, InterruptedException {
        return psqlOn(gw, "prefer", token, user, args);
    }

    private static Run psqlOn(GatewayHarness target, String sslMode, String token, String user, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(psql, "-X", "-h", "127.0.0.1", "-p", String.valueOf(target.gateway().pgPort()),
                "-U", user, "-v", "VERBOSITY=verbose", "omnisql"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", token);
        pb.environment().put("PGSSLMODE", sslMode);
        pb.environment().put("PGCONNECT_TIMEOUT", "10");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void psqlRunsAGovernedQueryWithThePasswordAsBearerToken() throws Exception {
        Run r = psql(gw.token(), "alice", "-A", "-t", "-c",
                "SELECT DISTINCT team_id FROM github.pull_requests WHERE state = 'open'");
        assertThat(r.exit()).as(r.out()).isZero();
        // Team mobile's row filter holds over the wire.
        assertThat(r.out().strip()).isEqualTo("mobile");
    }

    @Test
    void aBadTokenIsRefusedAtConnect() throws Exception {
        Run r = psql("not-a-token", "alice", "-c", "SELECT 1");
        assertThat(r.exit()).isNotZero();
        assertThat(r.out()).contains("FATAL").contains("UNAUTHENTICATED");
    }

    @Test
    void listsOnlyVisibleTablesAndDescribesATable() throws Exception {
        Run dt = psql(gw.token(), "alice", "-c", "\\dt");
        assertThat(dt.exit()).as(dt.out()).isZero();
        assertThat(dt.out()).contains("github").contains("pull_requests").contains("jira").contains("issues");
        Run contractor = psql(gw.token("carl", "mobile", "contractor", ""), "carl", "-c", "\\dt");
        assertThat(contractor.out()).as("jira is denied to contractors").doesNotContain("jira ").contains("pull_requests");

        Run d = psql(gw.token(), "alice", "-c", "\\d github.pull_requests");
        assertThat(d.exit()).as(d.out()).isZero();
        assertThat(d.out()).contains("Table \"github.pull_requests\"").contains("diff_link").contains("bigint")
                .contains("timestamp without time zone");
        Run qa = psql(gw.token("quinn", "mobile", "qa", ""), "quinn", "-c", "\\d github.pull_requests");
        assertThat(qa.out()).as("a denied column is not listed").contains("author_email").doesNotContain("diff_link");
    }

    @Test
    void anErrorCarriesItsSqlstateAndTheConnectionKeepsWorking() throws Exception {
        Run r = psql(gw.token("quinn", "mobile", "qa", ""), "quinn", "-c",
                "SELECT diff_link FROM github.pull_requests LIMIT 1", "-c", "SELECT count(*) AS n FROM github.pull_requests",
                "-c", "SELECT nope FROM github.pull_requests", "-c", "SELEC 1", "-c", "SELECT * FROM nowhere.at_all",
                "-A", "-t", "-c", "SELECT 'still here'");
        assertThat(r.out()).contains("ERROR:  42501: ENTITLEMENT_DENIED")
                .contains("ERROR:  42703: UNKNOWN_COLUMN")
                .contains("ERROR:  42601:")
                .contains("ERROR:  42P01: UNKNOWN_TABLE")
                .contains("still here");
    }

    @Test
    void tlsWithAConfiguredKeyPairAndRefusedWithout(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Run plain = psqlOn(gw, "require", gw.token(), "alice", "-c", "SELECT 1");
        assertThat(plain.exit()).isNotZero();
        assertThat(plain.out()).contains("does not support SSL");

        // A PEM certificate and PKCS#8 key, as openssl or a certificate manager writes them.
        Path[] pem = TlsFiles.pem(dir);
        try (GatewayHarness tls = GatewayHarness.start((f, t) -> t, java.util.Map.of("PG_PORT", "0",
                "PG_TLS_CERT", pem[0].toString(), "PG_TLS_KEY", pem[1].toString()))) {
            Run r = psqlOn(tls, "require", tls.token(), "alice", "-A", "-t", "-c",
                    "SELECT count(*) > 0 FROM github.pull_requests", "-c", "\\conninfo");
            assertThat(r.exit()).as(r.out()).isZero();
            assertThat(r.out()).contains("t\n").contains("SSL connection");
        }
    }

    @Test
    void sessionSettingsAreTheQueryKnobs() throws Exception {
        Run r = psql(gw.token(), "alice", "-A", "-t", "-c", "SET omnisql.max_staleness_ms = 0", "-c", "SHOW omnisql.max_staleness_ms",
                "-c", "SET omnisql.timeout_ms TO 0", "-c", "SET omnisql.nonsense = 1");
        assertThat(r.out()).contains("SET").contains("\n0\n").contains("ERROR:  22023: BAD_REQUEST: omnisql.timeout_ms must be >= 1")
                .contains("unrecognized configuration parameter \"omnisql.nonsense\"");
    }
}
