package io.omnisql.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.omnisql.config.Catalog;
import io.omnisql.config.ConfigStore;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.exec.Engine;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The syntax-tree checks: vetted nodes and functions, DuckDB's CTE scoping, reserved names, governed views. */
class StatementGuardTest {
    private static Catalog catalog;

    @BeforeAll
    static void load() throws Exception {
        try (ConfigStore store = ConfigStore.open(Path.of("."))) {
            catalog = store.current().catalog();
        }
    }

    private static List<String> relations(String sql) throws Exception {
        return StatementGuard.relations(CCJSqlParserUtil.parse(sql)).stream().map(Table::getFullyQualifiedName).toList();
    }

    private static QueryException refused(String sql) {
        try {
            new Planner().plan(sql, catalog);
        } catch (QueryException e) {
            return e;
        }
        throw new AssertionError("accepted: " + sql);
    }

    @Test
    void aCteNameCoversOnlyItsOwnScope() throws Exception {
        assertThat(relations("WITH a AS (SELECT 1) SELECT * FROM a")).isEmpty();
        assertThat(relations("SELECT * FROM (WITH a AS (SELECT 1) SELECT * FROM a) t, a")).containsExactly("a");
        // A non-recursive CTE's own body and earlier siblings do not see it; later siblings do.
        assertThat(relations("WITH a AS (SELECT * FROM a), b AS (SELECT * FROM a) SELECT * FROM b")).containsExactly("a");
        assertThat(relations("WITH b AS (SELECT * FROM a), a AS (SELECT 1) SELECT * FROM b")).containsExactly("a");
        assertThat(relations("WITH a AS (SELECT 1) SELECT * FROM s.a")).containsExactly("s.a");
        // Column qualifiers are no relations.
        assertThat(relations("SELECT x.k, y.* FROM t x, u y")).containsExactly("t", "u");
    }

    @Test
    void functionsOutsideTheAllowListAreRefusedWhereverTheyStand() {
        for (String sql : List.of("SELECT current_setting('threads')", "SELECT 1 FROM jira.issues GROUP BY current_setting('a')",
                "SELECT * FROM jira.issues HAVING getenv('x') IS NULL", "SELECT list_filter([1], x -> pragma_version() IS NULL)",
                "SELECT CASE WHEN true THEN duckdb_extensions() END", "SELECT main.lower('a')", "SELECT \"current_setting\"('a')")) {
            QueryException e = refused(sql);
            assertThat(e.code()).as(sql).isEqualTo(ErrorCode.UNSUPPORTED_STATEMENT);
            assertThat(e.getMessage()).as(sql).contains("not available");
        }
    }

    /** The sandbox must not cost analytical SQL anything: each of these plans. */
    @Test
    void analyticalSqlPasses() {
        for (String sql : List.of(
                "SELECT count(DISTINCT key), string_agg(key, ',' ORDER BY key), count(*) FILTER (WHERE status = 'Done') FROM jira.issues",
                "SELECT EXTRACT(year FROM created_at), created_at::DATE, CAST(created_at AS DATE) - INTERVAL '7 days', now() - INTERVAL 7 DAY FROM jira.issues",
                "SELECT * FROM jira.issues WHERE created_at > CURRENT_DATE - 7 AND summary ILIKE '%x%' AND key IS DISTINCT FROM 'K-1'",
                "SELECT team_id, count(*) FROM jira.issues GROUP BY ALL ORDER BY ALL",
                "SELECT * EXCLUDE (summary) FROM jira.issues QUALIFY row_number() OVER (PARTITION BY team_id ORDER BY created_at DESC) = 1",
                "SELECT key, sum(1) OVER w FROM jira.issues WINDOW w AS (ORDER BY created_at ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)",
                "SELECT [1, 2, 3][1], list_transform([1, 2], x -> x * 2), unnest([1, 2])",
                "SELECT CASE WHEN status IN ('Done', 'In Review') THEN 1 ELSE 0 END, coalesce(assignee, 'nobody') FROM jira.issues",
                "SELECT * FROM jira.issues j WHERE EXISTS (SELECT 1 FROM github.pull_requests p WHERE p.branch = j.branch_name)",
                "SELECT * FROM jira.issues j, LATERAL (SELECT count(*) AS n FROM github.pull_requests p WHERE p.branch = j.branch_name) l",
                "SELECT key FROM jira.issues UNION SELECT title FROM github.issues EXCEPT SELECT 'x' INTERSECT SELECT 'y'",
                "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r",
                "SELECT date_trunc('week', created_at), strftime(created_at, '%Y-%m'), regexp_matches(key, '^MOB-'), "
                        + "split_part(assignee_email, '@', 2), round(avg(length(summary)), 1), median(length(summary)) "
                        + "FROM jira.issues GROUP BY 1, 2, 3, 4 LIMIT 10 OFFSET 5")) {
            new Planner().plan(sql, catalog);
        }
    }

    @Test
    void constructsOutsideTheVettedKindsAreRefused() {
        for (String sql : List.of("SELECT nextval('s')", "SELECT @x", "SELECT * FROM jira.issues WHERE key = ?",
                "SELECT * FROM generate_series(1, 3)", "SELECT * FROM jira.issues TABLESAMPLE BERNOULLI (10)")) {
            QueryException e = refused(sql);
            assertThat(e.code()).as(sql).isIn(ErrorCode.UNSUPPORTED_STATEMENT, ErrorCode.SQL_SYNTAX);
        }
    }

    @Test
    void theTemplateNamesOnlyPlaceholdersAndCtes() {
        QueryPlan plan = new Planner().plan("WITH x AS (SELECT key FROM jira.issues) SELECT * FROM x, jira.issues j, "
                + "(SELECT 1 FROM github.issues) s", catalog);
        assertThat(plan.refs()).hasSize(3);
        for (TableRef ref : plan.refs()) {
            assertThat(plan.template()).containsPattern("\\b" + ref.placeholder() + "\\b");
        }
        assertThat(plan.template()).doesNotContain("jira.issues").doesNotContain("github.issues");
    }

    @Test
    void aGovernedViewMayReadItsSourceTableAlone() {
        StatementGuard.verifyView("SELECT \"a\", ('***@' || split_part(\"b\", '@', 2)) AS \"b\" FROM src_1 WHERE (\"t\" = 'x')", "src_1");
        for (String body : List.of("SELECT a FROM src_2", "SELECT a FROM src_1, src_2", "SELECT a FROM src_1 WHERE a IN (SELECT a FROM src_2)",
                "SELECT current_setting('x') FROM src_1", "SELECT a FROM main.src_1", "WITH q AS (SELECT 1) SELECT a FROM src_1",
                "SELECT a FROM src_1; DROP TABLE src_2", "SELECT a FROM src_1 WHERE (a = 'x'); SELECT 1")) {
            assertThatThrownBy(() -> StatementGuard.verifyView(body, "src_1")).as(body).isInstanceOf(QueryException.class)
                    .hasMessageNotContaining("src_");
        }
    }

    @Test
    void theExecutedTreeMustNameGovernedViewsOnly() throws Exception {
        StatementGuard.verifyExecuted(CCJSqlParserUtil.parse("WITH c AS (SELECT * FROM omni_1_0) SELECT * FROM c, omni_1_1"),
                Set.of("omni_1_0", "omni_1_1"));
        assertThatThrownBy(() -> StatementGuard.verifyExecuted(CCJSqlParserUtil.parse("SELECT * FROM omni_1_0, src_3"),
                Set.of("omni_1_0"))).isInstanceOf(QueryException.class).hasMessageNotContaining("src_3");
    }

    /** Every relation an unqualified or qualified name can reach in DuckDB is reserved, so a CTE can never stand for one. */
    @Test
    void everyRelationDuckDbHoldsHasAReservedName() throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + Engine.TABLE_PREFIX + "1 (a INTEGER)");
            try (ResultSet rs = s.executeQuery("SELECT database_name, schema_name, view_name FROM duckdb_views() "
                    + "UNION ALL SELECT database_name, schema_name, table_name FROM duckdb_tables()")) {
                while (rs.next()) {
                    String schema = rs.getString(2);
                    String name = rs.getString(3);
                    names.add(schema + "." + name);
                    // Reachable unqualified (search path main, pg_catalog) or only through a reserved schema name.
                    assertThat(StatementGuard.engineName(name) || StatementGuard.engineName(schema))
                            .as(schema + "." + name).isTrue();
                    if (!schema.equals("information_schema")) {
                        assertThat(StatementGuard.engineName(name)).as(schema + "." + name).isTrue();
                    }
                }
            }
        }
        assertThat(names).contains("main.src_1", "main.duckdb_tables", "main.sqlite_master", "pg_catalog.pg_settings");
    }
}
