package io.omnisql.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.ColumnType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** DuckDB's own error text, as the engine answers it: in the vocabulary, naming no engine table or view. */
class EngineErrorScrubTest {
    private final Engine engine = new Engine(new Engine.Settings(1, "256MB", Engine.Lanes.DEFAULT));

    @AfterEach
    void close() {
        engine.close();
    }

    private QueryException failure(String sql, Map<String, String> views) {
        Throwable t = catchThrowable(() -> engine.query(sql, views, System.nanoTime() + 10_000_000_000L, 10, 1 << 20));
        assertThat(t).isInstanceOf(QueryException.class);
        return (QueryException) t;
    }

    @Test
    void missingTableNamesNoEngineTableNorSuggestion() {
        try (TableWriter w = engine.create(List.of(new ColumnDef("a", ColumnType.INTEGER, "a", "", "", Map.of(), null, "")))) {
            assertThat(w.finish().name()).isEqualTo(Engine.TABLE_PREFIX + "1");
        }
        QueryException e = failure("SELECT * FROM src_999", Map.of());
        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TABLE);
        assertThat(e.getMessage()).contains("<table>").doesNotContain("src_").doesNotContain("Did you mean");
    }

    @Test
    void bindingErrorsOverViewsNameNoViewNorCandidates() {
        QueryException e = failure("SELECT z.a FROM omni_0123456789abcdef_10", Map.of("omni_0123456789abcdef_10", "SELECT 1 AS a"));
        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_COLUMN);
        assertThat(e.getMessage()).doesNotContain("omni_").doesNotContain("Candidate");
        QueryException missing = failure("SELECT * FROM omni_0123456789abcdef_11", Map.of("omni_0123456789abcdef_1", "SELECT 1 AS a"));
        assertThat(missing.getMessage()).doesNotContain("omni_").doesNotContain("Did you mean");
    }

    @Test
    void scrubReplacesQualifiedInternalNames() {
        assertThat(Engine.scrub("Catalog Error: Table with name memory.main.src_12 does not exist! Did you mean \"src_1\"?"))
                .isEqualTo("Catalog Error: Table with name <table> does not exist!");
        assertThat(Engine.scrub("Binder Error: temp.main.\"omni_ab12_3\" has no column x")).isEqualTo("Binder Error: <table> has no column x");
    }
}
