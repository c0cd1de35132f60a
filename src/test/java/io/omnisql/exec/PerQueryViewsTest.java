package io.omnisql.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A statement's views belong to it alone: invisible to concurrent statements using the same names, gone after it. */
class PerQueryViewsTest {
    private final Engine engine = new Engine(new Engine.Settings(2, "256MB", Engine.Lanes.DEFAULT));

    @AfterEach
    void close() {
        engine.close();
    }

    private QueryResult run(String sql, Map<String, String> views) {
        return engine.query(sql, views, System.nanoTime() + 30_000_000_000L, 10, 1 << 20);
    }

    @Test
    void concurrentStatementsSeeOnlyTheirOwnViewsOfTheSameName() throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<Object>> answers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int value = i;
                answers.add(pool.submit(() -> run("SELECT v FROM omni_same_0, range(2000) r GROUP BY v",
                        Map.of("omni_same_0", "SELECT " + value + " AS v")).rows().get(0)[0]));
            }
            for (int i = 0; i < answers.size(); i++) {
                assertThat(((Number) answers.get(i).get()).intValue()).isEqualTo(i);
            }
        }
    }

    @Test
    void viewsAreGoneWithTheirStatement() {
        run("SELECT * FROM omni_gone_0", Map.of("omni_gone_0", "SELECT 1 AS v"));
        assertThatThrownBy(() -> run("SELECT * FROM omni_gone_0", Map.of()))
                .isInstanceOfSatisfying(QueryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TABLE));
        assertThat(engine.tables()).isEmpty();
    }

    @Test
    void aViewNameMustBeAPlainIdentifier() {
        assertThatThrownBy(() -> run("SELECT 1", Map.of("x; DROP TABLE y", "SELECT 1")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
