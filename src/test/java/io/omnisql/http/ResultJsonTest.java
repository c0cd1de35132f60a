package io.omnisql.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.exec.QueryResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultJsonTest {
    private final ResultJson json = new ResultJson(1 << 20);

    private static QueryResult result(List<Object[]> rows) {
        return new QueryResult(List.of(new QueryResult.ResultColumn("pr_id", "BIGINT"),
                new QueryResult.ResultColumn("status", "VARCHAR")), rows, QueryResult.Cut.NONE);
    }

    private JsonNode answer(QueryResult r, String traceId) throws Exception {
        return Json.MAPPER.readTree(json.answer(r, g -> {
            g.writeStartObject();
            g.writeStringField("trace_id", traceId);
            g.writeEndObject();
        }));
    }

    @Test
    void answerHoldsColumnsRowsAndThisRequestsMetadata() throws Exception {
        QueryResult r = result(List.of(new Object[] {1L, "In \"Progress\""}, new Object[] {2L, null}));
        JsonNode first = answer(r, "a");
        JsonNode second = answer(r, "b");
        assertThat(first.toString()).isEqualTo(
                "{\"columns\":[{\"name\":\"pr_id\",\"type\":\"BIGINT\"},{\"name\":\"status\",\"type\":\"VARCHAR\"}],"
                        + "\"rows\":[[1,\"In \\\"Progress\\\"\"],[2,null]],\"metadata\":{\"trace_id\":\"a\"}}");
        assertThat(second.get("rows")).isEqualTo(first.get("rows"));
        assertThat(second.at("/metadata/trace_id").asText()).isEqualTo("b");
    }

    @Test
    void anotherResultWithEqualContentIsRenderedOnItsOwn() throws Exception {
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {1L, "x"});
        QueryResult r = result(rows);
        assertThat(answer(r, "a").at("/rows/0/1").asText()).isEqualTo("x");
        // Results are keyed by identity: a fresh result object never reuses another's bytes.
        assertThat(answer(result(List.<Object[]>of(new Object[] {1L, "y"})), "b").at("/rows/0/1").asText()).isEqualTo("y");
        assertThat(answer(result(List.<Object[]>of()), "c").get("rows")).isEmpty();
    }
}
