package io.omnisql.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.ColumnType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonRowsTest {
    private static ColumnDef col(String name, ColumnType type, String path) {
        return new ColumnDef(name, type, path, "", "", Map.of(), null, "");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void extractsNestedIndexedAndSharedPathsWhileSkippingTheRest() throws Exception {
        JsonRows rows = new JsonRows(List.of(
                col("id", ColumnType.BIGINT, "id"),
                col("login", ColumnType.VARCHAR, "user.login"),
                new ColumnDef("team", ColumnType.VARCHAR, "user.login", "teams", "", Map.of(), null, ""),
                col("label", ColumnType.VARCHAR, "labels[1].name"),
                col("draft", ColumnType.BOOLEAN, "draft"),
                col("created", ColumnType.TIMESTAMP, "created_at")),
                Map.of("teams", Map.of("ana", "web")));
        JsonRows.Page page = rows.page(utf8("""
                [{"url":"http://x","id":7,"user":{"avatar":{"deep":[1,2,{"a":null}]},"login":"ana"},
                  "labels":[{"name":"a"},{"name":"b","color":"fff"}],"draft":false,"created_at":"2025-03-17T17:57:23Z"},
                 {"id":8,"user":null,"labels":[],"created_at":null}]"""), "", Set.of());
        assertThat(page.rows()).hasSize(2);
        assertThat(page.rows().get(0)).containsExactly(7L, "ana", "web", "b", false, LocalDateTime.of(2025, 3, 17, 17, 57, 23));
        assertThat(page.rows().get(1)).containsExactly(8L, null, null, null, null, null);
    }

    @Test
    void findsTheRowArrayInsideAnEnvelopeAndKeepsPaginationFieldsAfterIt() throws Exception {
        JsonRows rows = new JsonRows(List.of(col("key", ColumnType.VARCHAR, "key"),
                col("status", ColumnType.VARCHAR, "fields.status.name")), Map.of());
        JsonRows.Page page = rows.page(utf8("""
                {"expand":"x","issues":[{"key":"MOB-1","fields":{"status":{"name":"Done","id":3}}}],
                 "nextPageToken":"abc","isLast":false,"other":{"big":[1,2,3]}}"""), "issues", Set.of("nextPageToken", "isLast"));
        assertThat(page.rows()).singleElement().satisfies(r -> assertThat(r).containsExactly("MOB-1", "Done"));
        assertThat(page.fields().get("nextPageToken").asText()).isEqualTo("abc");
        assertThat(page.fields().get("isLast").asBoolean()).isFalse();
        assertThat(page.fields().has("other")).isFalse();
    }

    @Test
    void typesValuesLikeTheTreeConversionDoes() throws Exception {
        JsonRows rows = new JsonRows(List.of(
                col("n_from_text", ColumnType.BIGINT, "a"),
                col("text_from_number", ColumnType.VARCHAR, "b"),
                col("int_too_big", ColumnType.INTEGER, "c"),
                col("double_from_int", ColumnType.DOUBLE, "d"),
                col("object_as_json", ColumnType.VARCHAR, "e"),
                col("nested_below_object", ColumnType.VARCHAR, "e.x"),
                col("bool_from_text", ColumnType.BOOLEAN, "f"),
                col("bigint_from_float", ColumnType.BIGINT, "g"),
                col("whole_item_id", ColumnType.BIGINT, "h")), Map.of());
        JsonRows.Page page = rows.page(utf8("""
                {"rows":[{"a":" 42 ","b":1.5,"c":3000000000,"d":2,"e":{"x":"y","z":[1]},"f":"TRUE","g":7.9,"h":[1]}]}"""),
                "rows", Set.of());
        assertThat(page.rows().get(0)).containsExactly(42L, "1.5", null, 2.0, "{\"x\":\"y\",\"z\":[1]}", "y", true, 7L, null);
    }

    @Test
    void reportsAMissingRowArrayAndRejectsMalformedJsonEvenInSkippedParts() throws Exception {
        JsonRows rows = new JsonRows(List.of(col("key", ColumnType.VARCHAR, "key")), Map.of());
        assertThat(rows.page(utf8("{\"issues\":{}}"), "issues", Set.of()).rows()).isNull();
        assertThat(rows.page(utf8(""), "issues", Set.of())).isNull();
        assertThatThrownBy(() -> rows.page(utf8("[{\"key\":\"a\",\"skipped\":{\"x\":]}]"), "", Set.of()))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> rows.page(utf8("[{\"key\":\"a\"}] [1]"), "", Set.of()))
                .isInstanceOf(IOException.class).hasMessageContaining("trailing content");
        assertThatThrownBy(() -> rows.page(utf8("{\"issues\":[{\"key\":\"a\"}],\"isLast\":tr"), "issues", Set.of("isLast")))
                .isInstanceOf(IOException.class);
    }

    @Test
    void skippedValuesAreStillCheckedAgainstTheJsonGrammar() throws Exception {
        JsonRows rows = new JsonRows(List.of(col("key", ColumnType.VARCHAR, "key")), Map.of());
        for (String skipped : List.of("{\"x\" 1}", "{\"x\":}", "[1,]", "{\"x\":1,}", "01", "1.", "-", "1e", "\"a\\q\"",
                "\"\\u12g4\"", "\"tab\there\"", "nul", "[1 2]", "{\"x\":1]", "\"open", "{1:2}", "[".repeat(1_001) + "]".repeat(1_001))) {
            assertThatThrownBy(() -> rows.page(utf8("[{\"key\":\"a\",\"skipped\":" + skipped + "}]"), "", Set.of()))
                    .as(skipped).isInstanceOf(IOException.class).hasMessageContaining("at byte");
        }
        for (String skipped : List.of("{}", "[]", "[[],{}]", "-0.5e+3", "0", "\"\\\"\\u00e9\\n\"", "\"é😀\"", "{\"a\":[true,false,null]}",
                " { \"a\" : [ 1 , 2 ] } ")) {
            assertThat(rows.page(utf8("[{\"skipped\":" + skipped + ",\"key\":\"a\"}]"), "", Set.of()).rows())
                    .as(skipped).singleElement().satisfies(r -> assertThat(r).containsExactly("a"));
        }
    }

    @Test
    void decodesEscapesAndUtf8InReadStringsAndEscapedNames() throws Exception {
        JsonRows rows = new JsonRows(List.of(col("title", ColumnType.VARCHAR, "title"),
                col("login", ColumnType.VARCHAR, "user.login")), Map.of());
        JsonRows.Page page = rows.page(utf8("""
                [{"title":"caf\\u00e9 \\"x\\"\\n\\\\ \\ud83d\\ude00 é😀","us\\u0065r":{"login":"ana"}}]"""), "", Set.of());
        assertThat(page.rows().get(0)).containsExactly("café \"x\"\n\\ 😀 é😀", "ana");
    }

    @Test
    void leavesPerRowColumnsToTheirOwnCalls() throws Exception {
        JsonRows rows = new JsonRows(List.of(col("number", ColumnType.INTEGER, "number"),
                new ColumnDef("author_email", ColumnType.VARCHAR, "number", "", "", Map.of(),
                        new io.omnisql.config.Catalog.PerRow("/commits/{number}", "email", 4, 0), "")), Map.of());
        assertThat(rows.page(utf8("[{\"number\":5}]"), "", Set.of()).rows().get(0)).containsExactly(5, null);
    }

    @Test
    void readsGithubAndJiraTimestampsInUtcAndLeavesOtherShapesToTheFormatter() {
        assertThat(Values.timestamp("2025-03-17T17:57:23Z")).isEqualTo(LocalDateTime.of(2025, 3, 17, 17, 57, 23));
        assertThat(Values.timestamp("2025-03-17T17:57:23.120+0200")).isEqualTo(LocalDateTime.of(2025, 3, 17, 15, 57, 23, 120_000_000));
        assertThat(Values.timestamp("2025-01-01T00:30:00-01:30")).isEqualTo(LocalDateTime.of(2025, 1, 1, 2, 0));
        assertThat(Values.timestamp("2025-03-17 17:57:23")).isEqualTo(LocalDateTime.of(2025, 3, 17, 17, 57, 23));
        assertThat(Values.timestamp("2025-03-17")).isEqualTo(LocalDateTime.of(2025, 3, 17, 0, 0));
        // Out-of-range days take the formatter's SMART resolution, as before the fast path existed.
        assertThat(Values.timestamp("2025-02-30T00:00:00Z")).isEqualTo(LocalDateTime.of(2025, 2, 28, 0, 0));
        assertThat(Values.timestamp("2025-03-17T17:57:23+25:00")).isNull();
        assertThat(Values.timestamp("yesterday")).isNull();
    }
}
