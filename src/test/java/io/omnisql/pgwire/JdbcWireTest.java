package io.omnisql.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.omnisql.GatewayHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The PostgreSQL JDBC driver against the wire listener, as applications and BI tools use it. */
class JdbcWireTest {
    private static GatewayHarness gw;

    @BeforeAll
    static void start() throws Exception {
        // The shipped burst of 50 with a refill too slow to land during the rapid run (as the HTTP bucket test).
        gw = GatewayHarness.start((file, text) -> file.equals("ratelimits.yaml")
                ? text.replace("default: {burst: 50, refill_per_second: 10}", "default: {burst: 50, refill_per_second: 0.05}")
                : text);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static Connection connect(String user, String token, String... extra) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", token);
        for (int i = 0; i + 1 < extra.length; i += 2) {
            p.setProperty(extra[i], extra[i + 1]);
        }
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + gw.gateway().pgPort() + "/omnisql", p);
    }

    @Test
    void preparedStatementsBindParametersAndPoliciesHold() throws Exception {
        try (Connection c = connect("alice", gw.token("alice", "mobile", "analyst", ""));
             PreparedStatement ps = c.prepareStatement("SELECT number, team_id, author_email, created_at FROM github.pull_requests "
                     + "WHERE number > ? AND state = ? ORDER BY number")) {
            // Run past pgjdbc's prepareThreshold so the named statement and binary results are exercised too.
            List<String> first = null;
            for (int run = 0; run < 7; run++) {
                ps.setInt(1, 10);
                ps.setString(2, "open");
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        assertThat(rs.getInt(1)).isGreaterThan(10);
                        assertThat(rs.getString(2)).isEqualTo("mobile");
                        assertThat(rs.getString(3)).as("masked without PII_ACCESS").startsWith("***@");
                        assertThat(rs.getTimestamp(4)).isNotNull();
                        rows.add(rs.getInt(1) + "|" + rs.getString(3) + "|" + rs.getTimestamp(4));
                    }
                }
                assertThat(rows).isNotEmpty();
                if (first == null) {
                    first = rows;
                } else {
                    assertThat(rows).as("text and binary results agree (run %d)", run).isEqualTo(first);
                }
            }
        }
        try (Connection c = connect("pia", gw.token("pia", "mobile", "analyst", "PII_ACCESS"));
             PreparedStatement ps = c.prepareStatement("SELECT author_email FROM github.pull_requests WHERE author_email IS NOT NULL LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).doesNotStartWith("***");
        }
    }

    @Test
    void duckDbTypesArriveAsPostgresTypesAlikeInTextAndBinary() throws Exception {
        String sql = "SELECT CAST(number AS DECIMAL(10,2)) AS d, CAST(created_at AS DATE) AS dt, "
                + "CAST(created_at AS TIMESTAMPTZ) AS tz, created_at AS ts, [number, number + 1] AS arr, ['a b', NULL] AS sarr, "
                + "draft AS b, number / 4.0 AS f, CAST(NULL AS VARCHAR) AS n, 'ü€😀' AS u, pr_id AS big "
                + "FROM github.pull_requests WHERE number = ? ORDER BY pr_id";
        List<List<String>> answers = new ArrayList<>();
        // prepareThreshold 0: never server-prepared, text results; -1: always, binary results.
        for (String threshold : new String[] {"0", "-1"}) {
            try (Connection c = connect("alice", gw.token("alice", "mobile", "analyst", ""), "prepareThreshold", threshold);
                 PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setInt(1, 519);
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    java.sql.ResultSetMetaData md = rs.getMetaData();
                    assertThat(List.of(md.getColumnTypeName(1), md.getColumnTypeName(2), md.getColumnTypeName(3),
                            md.getColumnTypeName(4), md.getColumnTypeName(5), md.getColumnTypeName(6), md.getColumnTypeName(7),
                            md.getColumnTypeName(8), md.getColumnTypeName(10), md.getColumnTypeName(11)))
                            .containsExactly("numeric", "date", "timestamptz", "timestamp", "_int4", "_text", "bool", "float8",
                                    "text", "int8");
                    while (rs.next()) {
                        assertThat(rs.getBigDecimal("d")).isEqualByComparingTo("519").extracting(java.math.BigDecimal::scale).isEqualTo(2);
                        assertThat((Object[]) rs.getArray("arr").getArray()).containsExactly(519, 520);
                        assertThat((Object[]) rs.getArray("sarr").getArray()).containsExactly("a b", null);
                        assertThat(rs.getDouble("f")).isEqualTo(129.75);
                        assertThat(rs.getString("n")).isNull();
                        assertThat(rs.getString("u")).isEqualTo("ü€😀");
                        assertThat(rs.getTimestamp("tz").toInstant()).isEqualTo(rs.getTimestamp("ts").toLocalDateTime()
                                .toInstant(java.time.ZoneOffset.UTC));
                        rows.add(rs.getBigDecimal("d") + "|" + rs.getDate("dt") + "|" + rs.getTimestamp("tz").toInstant() + "|"
                                + rs.getTimestamp("ts") + "|" + rs.getBoolean("b") + "|" + rs.getLong("big"));
                    }
                }
                assertThat(rows).isNotEmpty();
                answers.add(rows);
            }
        }
        assertThat(answers.get(1)).isEqualTo(answers.get(0));
    }

    @Test
    void databaseMetaDataListsWhatTheCallerMaySee() throws Exception {
        try (Connection c = connect("quinn", gw.token("quinn", "mobile", "qa", ""))) {
            DatabaseMetaData md = c.getMetaData();
            assertThat(md.getDatabaseProductName()).isEqualTo("PostgreSQL");
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = md.getTables(null, null, "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    tables.add(rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME"));
                }
            }
            assertThat(tables).contains("github.pull_requests", "jira.issues");
            List<String> columns = new ArrayList<>();
            try (ResultSet rs = md.getColumns(null, "github", "pull_requests", "%")) {
                while (rs.next()) {
                    columns.add(rs.getString("COLUMN_NAME"));
                    if (rs.getString("COLUMN_NAME").equals("number")) {
                        assertThat(rs.getInt("DATA_TYPE")).isEqualTo(Types.INTEGER);
                    }
                    if (rs.getString("COLUMN_NAME").equals("created_at")) {
                        assertThat(rs.getInt("DATA_TYPE")).isEqualTo(Types.TIMESTAMP);
                    }
                }
            }
            assertThat(columns).contains("number", "title", "author_email").doesNotContain("diff_link");
            try (ResultSet rs = md.getSchemas()) {
                List<String> schemas = new ArrayList<>();
                while (rs.next()) {
                    schemas.add(rs.getString(1));
                }
                assertThat(schemas).contains("github", "jira");
            }
        }
        try (Connection c = connect("quinn", gw.token("quinn", "mobile", "qa", ""))) {
            // The rest of what a BI tool crawls answers (empty where OmniSQL has no such thing) instead of failing.
            DatabaseMetaData md = c.getMetaData();
            for (ResultSet rs : List.of(md.getPrimaryKeys(null, "github", "pull_requests"),
                    md.getIndexInfo(null, "github", "pull_requests", false, true), md.getImportedKeys(null, "github", "pull_requests"),
                    md.getExportedKeys(null, "github", "pull_requests"), md.getTypeInfo(), md.getCatalogs(), md.getTableTypes(),
                    md.getFunctions(null, "github", "%"), md.getTablePrivileges(null, "github", "%"),
                    md.getBestRowIdentifier(null, "github", "pull_requests", 0, true))) {
                try (rs) {
                    while (rs.next()) {
                        assertThat(rs.getMetaData().getColumnCount()).isPositive();
                    }
                }
            }
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT version(), current_schema(), current_database(), current_user")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).startsWith("PostgreSQL 14");
                assertThat(rs.getString(3)).isEqualTo("omnisql");
                assertThat(rs.getString(4)).isEqualTo("quinn");
            }
        }
        // Principals who see the same catalog share its shadow database, each still named as themselves.
        for (String who : List.of("ann", "ben")) {
            try (Connection c = connect(who, gw.token(who, "mobile", "qa", "")); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT current_user, (SELECT rolname FROM pg_roles LIMIT 1)")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(who);
                assertThat(rs.getString(2)).isEqualTo(who);
            }
        }
        try (Connection c = connect("carl", gw.token("carl", "mobile", "contractor", ""));
             ResultSet rs = c.getMetaData().getTables(null, "jira", "%", null)) {
            assertThat(rs.next()).as("a denied table is not listed").isFalse();
        }
    }

    private static double metric(String line) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + java.util.regex.Pattern.quote(line) + " (\\S+)$")
                .matcher(gw.get("/metrics", null).text());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /**
     * Statements that name the catalog (or have no FROM) run in the data-free catalog database, translated token by
     * token: its sandbox (no external access, no extensions, configuration locked) must refuse files, the network,
     * the environment and attempts to loosen it, and the connection keeps working.
     */
    @Test
    void catalogLookingQueriesCannotReachFilesNetworkOrSettings() throws Exception {
        Path secret = Files.createTempFile("omnisql-catalog-sandbox", ".csv");
        Files.writeString(secret, "leaked_marker\nTOP-SECRET-ROW\n");
        try (Connection c = connect("alice", gw.token("alice", "mobile", "analyst", "")); Statement st = c.createStatement()) {
            String file = secret.toString();
            List<String> escapes = List.of(
                    "SELECT * FROM pg_catalog.pg_class, read_csv('" + file + "')",
                    "SELECT c.relname FROM pg_class c WHERE c.relname IN (SELECT leaked_marker FROM read_csv_auto('" + file + "'))",
                    "SELECT * FROM pg_catalog.pg_namespace, read_text('" + file + "')",
                    "SELECT * FROM pg_catalog.pg_namespace, read_csv('http://127.0.0.1:1/x.csv')",
                    "SELECT * FROM pg_catalog.pg_namespace, glob('/etc/*')",
                    "SELECT getenv('HOME')",
                    "SELECT current_setting('enable_external_access'), set_config('enable_external_access', 'true', false)");
            for (String sql : escapes) {
                assertThat(CatalogSql.isCatalogQuery(SqlTokens.lex(sql))).as("routed to the catalog DB: %s", sql).isTrue();
                assertThatThrownBy(() -> {
                    try (ResultSet rs = st.executeQuery(sql)) {
                        while (rs.next()) {
                            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                                assertThat(String.valueOf(rs.getString(i))).doesNotContain("TOP-SECRET", "root:");
                            }
                        }
                    }
                }).as("refused: %s", sql).isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getMessage()).doesNotContain("TOP-SECRET"));
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_catalog.pg_namespace")) {
                assertThat(rs.next()).isTrue();
            }
        } finally {
            Files.deleteIfExists(secret);
        }
    }

    @Test
    void errorsMapToSqlstatesAndTheConnectionStaysUsable() throws Exception {
        double denied = metric("query_errors_total{code=\"ENTITLEMENT_DENIED\",}");
        double queries = metric("query_latency_ms_count");
        try (Connection c = connect("quinn", gw.token("quinn", "mobile", "qa", "")); Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.executeQuery("SELECT diff_link FROM github.pull_requests"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("42501");
                        assertThat(e.getMessage()).contains("ENTITLEMENT_DENIED");
                    });
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM github.pull_requests")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isPositive();
            }
        }
        // Wire statements count in the same query metrics as HTTP ones.
        assertThat(metric("query_errors_total{code=\"ENTITLEMENT_DENIED\",}")).isEqualTo(denied + 1);
        assertThat(metric("query_latency_ms_count")).isGreaterThanOrEqualTo(queries + 2);
    }

    @Test
    void theFiftyFirstRapidQueryIsRefusedWith53400() throws Exception {
        try (Connection c = connect("rapid", gw.token("rapid", "mobile", "analyst", ""));
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM github.pull_requests WHERE number > ?")) {
            for (int i = 1; i <= 50; i++) {
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                }
            }
            ps.setInt(1, 51);
            assertThatThrownBy(ps::executeQuery).isInstanceOfSatisfying(SQLException.class, e -> {
                assertThat(e.getSQLState()).isEqualTo("53400");
                assertThat(e.getMessage()).contains("RATE_LIMIT_EXHAUSTED");
            });
        }
    }

    @Test
    void fetchSizePagesThroughAPortal() throws Exception {
        try (Connection c = connect("alice", gw.token("alice", "mobile", "analyst", ""))) {
            long expected;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM github.pull_requests")) {
                rs.next();
                expected = rs.getLong(1);
            }
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.setFetchSize(50);
                long n = 0;
                try (ResultSet rs = st.executeQuery("SELECT number FROM github.pull_requests")) {
                    while (rs.next()) {
                        n++;
                    }
                }
                assertThat(n).isEqualTo(expected).isGreaterThan(50);
            }
            c.commit();
        }
    }

    @Test
    void sessionSettingsAndNoticesCarryFreshness() throws Exception {
        try (Connection c = connect("fresh", gw.token("fresh", "mobile", "analyst", "")); Statement st = c.createStatement()) {
            st.executeQuery("SELECT count(*) FROM jira.issues").close();
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM jira.issues")) {
                SQLWarning w = st.getWarnings();
                assertThat((Object) w).as("a cached answer says how old it is").isNotNull();
                assertThat(w.getMessage()).contains("freshness_ms=");
            }
            st.execute("SET omnisql.max_staleness_ms = 0");
            st.clearWarnings();
            st.executeQuery("SELECT count(*) FROM jira.issues").close();
            assertThat((Object) st.getWarnings()).as("live data carries no freshness notice").isNull();
            try (ResultSet rs = st.executeQuery("SHOW omnisql.max_staleness_ms")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("0");
            }
        }
    }

    @Test
    void cancelStopsASlowQuery() throws Exception {
        assertThat(gw.edit("catalog.yaml", t -> t.replaceFirst("latency_ms: 0", "latency_ms: 4000"))).isTrue();
        double cancellations = metric("query_cancellations_total");
        try (Connection c = connect("slow", gw.token("slow", "mobile", "analyst", "")); Statement st = c.createStatement()) {
            st.execute("SET omnisql.max_staleness_ms = 0");
            long start = System.nanoTime();
            CompletableFuture<SQLException> run = CompletableFuture.supplyAsync(() -> {
                try {
                    st.executeQuery("SELECT count(*) FROM github.issues").close();
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            Thread.sleep(700);
            st.cancel();
            SQLException e = run.get(30, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat((Object) e).as("the query was cancelled").isNotNull();
            assertThat(e.getSQLState()).isEqualTo("57014");
            assertThat(e.getMessage()).contains("QUERY_CANCELLED");
            assertThat(ms).as("cancelled before the slow source answered").isLessThan(4000);
            assertThat(metric("query_cancellations_total")).as("cancelled through the query service's seam")
                    .isEqualTo(cancellations + 1);
            try (ResultSet rs = st.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        } finally {
            gw.edit("catalog.yaml", t -> t.replaceFirst("latency_ms: 4000", "latency_ms: 0"));
        }
    }
}
