package io.omnisql.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.error.QueryException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Found by the HTTP fuzzer (seed -7877486497365830325): {@code WHERE 1 + 1 + ...} with about 800 terms -- under
 * the planner's depth limit -- overflowed DuckDB's native stack on a default-sized thread and killed the whole
 * JVM. Statements run on threads with stacks deep enough for DuckDB's own expression-depth limit; if that ever
 * regresses, this test crashes the test JVM instead of passing.
 */
class DeepStatementTest {
    private static Engine engine;

    @BeforeAll
    static void start() {
        engine = new Engine(new Engine.Settings(1, "256MB", Engine.Lanes.DEFAULT));
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @Test
    void anExpressionDeepEnoughToOverflowADefaultStackDoesNotCrashTheProcess() {
        // 800 chained terms crashed on a 1 MiB stack; DuckDB then takes tens of seconds to optimise it, so the
        // deadline is short: reaching it (504) proves the statement got past the point that crashed.
        String sql = "SELECT 1 FROM (SELECT 1 AS x) t WHERE " + "1 + ".repeat(800) + "1 = 1";
        try {
            engine.query(sql, System.nanoTime() + 3_000_000_000L, 10, 1 << 20);
        } catch (QueryException e) {
            assertThat(e.code().status()).as(e.getMessage()).isIn(400, 504);
        }
        assertThat(engine.query("SELECT 42 AS v", System.nanoTime() + 10_000_000_000L, 1, 1 << 10).rows().get(0)[0])
                .isEqualTo(42);
    }
}
