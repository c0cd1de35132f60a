package io.omnisql.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.omnisql.config.Catalog;
import io.omnisql.config.ConfigStore;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The statements of issue 13 that hung the parser, overflowed its stack or threw inside JSqlParser: each is
 * planned or refused with a 400 code, within its parse budget, on the planner's bounded threads.
 */
class HostileStatementTest {
    private static final String FROM = " FROM github.pull_requests";
    private static Catalog catalog;
    private static Planner planner;

    @BeforeAll
    static void load() throws Exception {
        catalog = ConfigStore.open(Path.of(".")).current().catalog();
        planner = new Planner();
    }

    @AfterAll
    static void close() {
        planner.close();
    }

    private static QueryException refusal(String sql) {
        return refusal(sql, catalog);
    }

    private static QueryException refusal(String sql, Catalog c) {
        QueryException e = catchThrowableOfType(() -> planner.plan(sql, c), QueryException.class);
        assertThat(e).as("refused: " + sql.substring(0, Math.min(80, sql.length()))).isNotNull();
        return e;
    }

    private static Catalog withLimits(Catalog.SqlLimits limits) {
        Catalog.Defaults d = catalog.defaults();
        return new Catalog(new Catalog.Defaults(d.maxStalenessMs(), d.timeoutMs(), d.maxTimeoutMs(), d.maxRowsPerTable(),
                d.maxResultRows(), d.maxResultBytes(), d.cacheMaxBytes(), d.duckdbThreads(), d.duckdbMemoryLimit(),
                d.maxConcurrentQueries(), d.queueTimeoutMs(), limits, d.validatorStoreBytes(),
                d.joinPushdown()), catalog.sources(), catalog.tables(), catalog.mappings(),
                catalog.simulators(), catalog.observability(), catalog.pgwire(), catalog.cluster(), catalog.tags());
    }

    @Test
    void tenNestedParenthesesPlanInSimpleModeInsteadOfHangingInComplexMode() {
        // Took 15.4 s with complex parsing always on; the simple mode parses it at once.
        for (int depth : new int[] {10, 11, 50}) {
            QueryPlan plan = planner.plan("SELECT " + "(".repeat(depth) + "7" + ")".repeat(depth) + FROM, catalog);
            assertThat(plan.refs()).hasSize(1);
        }
    }

    @Test
    void nestedNotCastCaseAndWhereGroupsPlan() {
        String not = "SELECT 1" + FROM + " WHERE " + "NOT (".repeat(12) + "number = 1" + ")".repeat(12);
        String cast = "SELECT " + "CAST(".repeat(12) + "number" + " AS BIGINT)".repeat(12) + FROM;
        String kase = "SELECT " + "CASE WHEN number > 1 THEN (".repeat(12) + "1" + ") END".repeat(12) + FROM;
        String where = "SELECT 1" + FROM + " WHERE " + "(".repeat(12) + "number = 1" + ")".repeat(12);
        for (String sql : new String[] {not, cast, kase, where}) {
            assertThat(planner.plan(sql, catalog).refs()).as(sql).hasSize(1);
        }
    }

    @Test
    void nestingPastTheLimitIsSqlTooComplexNamingTheLimit() {
        QueryException e = refusal("SELECT " + "(".repeat(65) + "7" + ")".repeat(65) + FROM);
        assertThat(e.code()).isEqualTo(ErrorCode.SQL_TOO_COMPLEX);
        assertThat(e.details()).containsEntry("limit", "max_sql_nesting").containsEntry("max", 64L).containsEntry("actual", 65L);
        assertThat(refusal("SELECT " + "(".repeat(5000) + FROM).code()).isEqualTo(ErrorCode.SQL_TOO_COMPLEX);
    }

    @Test
    void longLiteralsAndQuotedIdentifiersNoLongerOverflowTheStack() {
        // A 2,500+ character literal and a 5,000-character quoted identifier overflowed the identifier regex.
        QueryPlan plan = planner.plan("SELECT '" + "a''b".repeat(3000) + "' AS x, number" + FROM, catalog);
        assertThat(plan.refs().get(0).columns()).containsExactly("number");
        // Planned (DuckDB then finds no such column: UNKNOWN_COLUMN).
        assertThat(planner.plan("SELECT \"" + "a".repeat(5000) + "\"" + FROM, catalog).refs()).hasSize(1);
    }

    @Test
    void longOperatorChainsAreSqlTooComplex() {
        for (String op : new String[] {"1+", "number = 1 OR ", "number = 1 AND ", "'a' || "}) {
            String sql = "SELECT 1" + FROM + " WHERE " + op.repeat(2500) + "1 = 1";
            QueryException e = refusal(sql);
            assertThat(e.code()).as(op).isEqualTo(ErrorCode.SQL_TOO_COMPLEX);
            assertThat(e.details()).containsEntry("limit", "max_sql_expression_depth");
        }
        // A long IN list is flat: no depth.
        String in = "SELECT 1" + FROM + " WHERE number IN (" + "1, ".repeat(5000) + "2)";
        assertThat(planner.plan(in, catalog).refs().get(0).candidates()).hasSize(1);
    }

    @Test
    void statementLongerThanTheCapIsRefusedBeforeParsing() {
        Catalog small = withLimits(new Catalog.SqlLimits(100, 64, 1000, 2000, 1 << 20));
        QueryException e = refusal("SELECT number" + FROM + " WHERE title = '" + "x".repeat(200) + "'", small);
        assertThat(e.code()).isEqualTo(ErrorCode.SQL_TOO_COMPLEX);
        assertThat(e.details()).containsEntry("limit", "max_sql_chars").containsEntry("max", 100L);
    }

    @Test
    void framedWindowsPlanInsteadOfThrowingInsideJsqlparser() {
        for (String frame : new String[] {"ROWS UNBOUNDED PRECEDING", "ROWS BETWEEN 2 PRECEDING AND CURRENT ROW",
                "RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING", "ROWS 3 PRECEDING"}) {
            QueryPlan plan = planner.plan("SELECT count(*) OVER (ORDER BY number " + frame + ") AS n" + FROM
                    + " WHERE state = 'open'", catalog);
            assertThat(plan.refs().get(0).columns()).as(frame).contains("number");
            assertThat(plan.refs().get(0).candidates()).hasSize(1);
        }
    }

    @Test
    void complexModeIsAbandonedAtTheParseTimeout() {
        // Fails the simple mode (trailing operator), so the complex one is tried: ~15 s at ten levels, unbounded.
        Catalog tight = withLimits(new Catalog.SqlLimits(100_000, 64, 1000, 300, 1 << 20));
        String sql = "SELECT ((((((((((7)))))))))) +" + FROM;
        long t0 = System.nanoTime();
        QueryException e = refusal(sql, tight);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(e.code()).isEqualTo(ErrorCode.SQL_TOO_COMPLEX);
        assertThat(e.details()).containsEntry("limit", "parse_timeout_ms");
        assertThat(ms).as("answered near the 300 ms budget, not after the complex parse").isLessThan(5_000);
        // The abandoned parse stopped: the next statement plans at once on the same lanes.
        assertThat(planner.plan("SELECT number" + FROM, tight).refs()).hasSize(1);
    }

    @Test
    void statementsInTheComplexModeNeverHoldUpOrdinaryOnes() throws Exception {
        Catalog slow = withLimits(new Catalog.SqlLimits(100_000, 64, 256, 1_500, 1 << 20));
        java.util.List<String> finished = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.List<Thread> hostile = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            hostile.add(Thread.ofVirtual().start(() -> {
                refusal("SELECT ((((((((((7)))))))))) +" + FROM, slow);
                finished.add("complex");
            }));
        }
        Thread.sleep(100); // the four now occupy the complex lane and wait behind it
        assertThat(planner.plan("SELECT number" + FROM + " WHERE state = 'open'", slow).refs()).hasSize(1);
        finished.add("simple");
        for (Thread t : hostile) {
            t.join();
        }
        assertThat(finished).first().isEqualTo("simple");
    }

    @Test
    void theQueryDeadlineBindsParsingToo() {
        QueryException e = catchThrowableOfType(() -> planner.plan("SELECT ((((((((((7)))))))))) +" + FROM, catalog,
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200)), QueryException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.QUERY_TIMEOUT);
    }
}
