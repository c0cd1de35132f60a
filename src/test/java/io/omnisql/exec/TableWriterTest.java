package io.omnisql.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.ColumnType;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Loading a table page by page while its fetch still runs: every row lands once, failures leave nothing. */
class TableWriterTest {
    private static final List<ColumnDef> COLUMNS = List.of(
            new ColumnDef("id", ColumnType.BIGINT, "id", "", "", Map.of(), null, ""),
            new ColumnDef("title", ColumnType.VARCHAR, "title", "", "", Map.of(), null, ""),
            new ColumnDef("created_at", ColumnType.TIMESTAMP, "created_at", "", "", Map.of(), null, ""));
    private final Engine engine = new Engine(new Engine.Settings(2, "512MB", Engine.Lanes.DEFAULT));

    @AfterEach
    void close() {
        engine.close();
    }

    private static List<Object[]> page(long firstId, int rows) {
        List<Object[]> page = new ArrayList<>();
        for (long id = firstId; id < firstId + rows; id++) {
            page.add(new Object[] {id, id % 3 == 0 ? null : "pr " + id, LocalDateTime.of(2025, 1, 1, 0, 0).plusMinutes(id)});
        }
        return page;
    }

    private Object scalar(String sql) {
        return engine.query(sql, System.nanoTime() + TimeUnit.SECONDS.toNanos(20), 10, 1 << 20).rows().get(0)[0];
    }

    @Test
    void pagesFromManyFetchingThreadsAllLandExactlyOnce() {
        MaterializedTable table;
        try (TableWriter writer = engine.create(COLUMNS)) {
            try (ExecutorService fetchers = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < 8; t++) {
                    long base = t * 100_000L;
                    fetchers.submit(() -> {
                        for (int p = 0; p < 40; p++) {
                            writer.append(page(base + p * 100L, 100));
                        }
                    });
                }
            }
            writer.append(page(1_000_000L, 5_000)); // one big page: sliced over both appenders
            table = writer.finish();
        }
        assertThat(table.rows()).isEqualTo(37_000);
        assertThat(scalar("SELECT count(DISTINCT id) FROM " + table.name())).isEqualTo(37_000L);
        assertThat(scalar("SELECT count(title) FROM " + table.name() + " WHERE id < 100"))
                .isEqualTo(66L); // every third title is null
        assertThat(scalar("SELECT max(created_at) FROM " + table.name() + " WHERE id = 2").toString())
                .isEqualTo("2025-01-01T00:02:00");
        engine.drop(table);
        assertThat(engine.tables()).isEmpty();
    }

    @Test
    void aWriterClosedWithoutFinishingDropsItsTable() {
        try (TableWriter writer = engine.create(COLUMNS)) {
            writer.append(page(0, 3_000));
            assertThat(engine.tables()).hasSize(1);
        }
        assertThat(engine.tables()).isEmpty();
    }

    @Test
    void aCancelledFetchStillDropsItsTableAndKeepsTheInterrupt() {
        TableWriter writer = engine.create(COLUMNS);
        writer.append(page(0, 3_000));
        Thread.currentThread().interrupt(); // what cancelling the query's other fetches does to this thread
        try {
            writer.close();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(engine.tables()).isEmpty();
    }

    @Test
    void aRowDuckDbRefusesFailsTheLoadAndLeavesNoTable() {
        try (TableWriter writer = engine.create(COLUMNS)) {
            writer.append(page(0, 100));
            writer.append(List.<Object[]>of(new Object[] {1L, "too short"}));
            assertThatThrownBy(writer::finish).isInstanceOfSatisfying(QueryException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
        }
        assertThat(engine.tables()).isEmpty();
    }
}
