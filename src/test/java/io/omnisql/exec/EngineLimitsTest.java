package io.omnisql.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EngineLimitsTest {
    /** Minutes of work for DuckDB: 10^12 rows of a cross join. */
    private static final String ENDLESS = "SELECT sum(a.range * b.range % 7) FROM range(1000000) a, range(1000000) b";
    private final Engine engine = new Engine(new Engine.Settings(1, "512MB", Engine.Lanes.DEFAULT));

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void statementOverTheDeadlineIsInterruptedAndFreesItsThread() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        assertThatThrownBy(() -> engine.query(ENDLESS, deadline, 10, 1 << 20))
                .isInstanceOfSatisfying(QueryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.QUERY_TIMEOUT));
        // One pool thread: this only runs if DuckDB really stopped the endless statement.
        QueryResult next = engine.query("SELECT 42", System.nanoTime() + TimeUnit.SECONDS.toNanos(20), 10, 1 << 20);
        assertThat(next.rows().get(0)[0]).isEqualTo(42);
    }

    @Test
    void readingStopsAtTheByteCapAndSaysWhichCapCut() {
        long far = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        // Each row is ["xxxxxxxxxx"]: 12 bytes of value, 2 of brackets, 1 separator = 15.
        String sql = "SELECT repeat('x', 10) FROM range(1000)";
        QueryResult bytes = engine.query(sql, far, 1000, 150);
        assertThat(bytes.cut()).isEqualTo(QueryResult.Cut.BYTES);
        assertThat(bytes.rows()).hasSize(10);
        QueryResult rows = engine.query(sql, far, 5, 1 << 20);
        assertThat(rows.cut()).isEqualTo(QueryResult.Cut.ROWS);
        assertThat(rows.rows()).hasSize(5);
        assertThat(engine.query(sql, far, 1000, 1 << 20).cut()).isEqualTo(QueryResult.Cut.NONE);
    }
}
