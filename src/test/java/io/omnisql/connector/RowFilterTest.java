package io.omnisql.connector;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.ColumnType;
import io.omnisql.config.Catalog.Op;
import io.omnisql.config.Catalog.PerRow;
import io.omnisql.plan.Predicate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowFilterTest {
    private static final List<ColumnDef> COLUMNS = List.of(
            column("title", ColumnType.VARCHAR), column("number", ColumnType.INTEGER),
            column("created_at", ColumnType.TIMESTAMP), column("draft", ColumnType.BOOLEAN),
            new ColumnDef("email", ColumnType.VARCHAR, "", "", "", Map.of(), new PerRow("/x/{number}", "a", 1, 0), ""));

    private static ColumnDef column(String name, ColumnType type) {
        return new ColumnDef(name, type, name, "", "", Map.of(), null, "");
    }

    private static boolean keeps(Object[] row, Predicate... predicates) {
        return RowFilter.of(COLUMNS, List.of(predicates)).keeps(row);
    }

    private static Predicate p(String column, Op op, String... values) {
        return new Predicate(column, op, List.of(values), column + " " + op.sql());
    }

    private static Object[] row(String title, Integer number, LocalDateTime created) {
        return new Object[] {title, number, created, Boolean.TRUE, null};
    }

    @Test
    void comparisonsFollowSqlOnTypedValues() {
        Object[] r = row("Fix crash", 12, LocalDateTime.parse("2025-03-01T10:30:00"));
        assertThat(keeps(r, p("number", Op.LE, "12"), p("number", Op.GT, "-3"))).isTrue();
        assertThat(keeps(r, p("number", Op.LT, "12"))).isFalse();
        assertThat(keeps(r, p("number", Op.IN, "1", "12"))).isTrue();
        assertThat(keeps(r, p("number", Op.NOT_IN, "1", "12"))).isFalse();
        assertThat(keeps(r, p("title", Op.EQ, "Fix crash"))).isTrue();
        assertThat(keeps(r, p("title", Op.NE, "Fix crash"))).isFalse();
        assertThat(keeps(r, p("title", Op.LT, "Fix d"))).isTrue();
        assertThat(keeps(r, p("created_at", Op.GE, "2025-03-01 10:30"))).isTrue();
        assertThat(keeps(r, p("created_at", Op.GT, "2025-03-01"))).isTrue();
        assertThat(keeps(r, p("created_at", Op.LT, "2025-03-01T10:30:00"))).isFalse();
    }

    @Test
    void nullFailsEveryComparisonAsInWhere() {
        Object[] r = row(null, null, null);
        assertThat(keeps(r, p("title", Op.NE, "x"))).isFalse();
        assertThat(keeps(r, p("number", Op.NOT_IN, "1"))).isFalse();
    }

    @Test
    void undecidablePredicatesKeepTheRow() {
        Object[] r = row("007", 7, LocalDateTime.parse("2025-03-01T10:30:00"));
        // Text against a numeric-looking literal may compare as numbers in DuckDB ('007' = 7).
        assertThat(keeps(r, p("title", Op.EQ, "7"))).isTrue();
        assertThat(keeps(r, p("number", Op.EQ, "7.5"))).isTrue();
        // An offset is decided as DuckDB's TIMESTAMP cast reads it: the local part (SqlLiteralSemanticsTest).
        assertThat(keeps(r, p("created_at", Op.LT, "2025-03-01T10:00:00+02:00"))).isFalse();
        assertThat(keeps(r, p("created_at", Op.LT, "2025-03-01T11:00:00+14:00"))).isTrue();
        assertThat(keeps(r, p("created_at", Op.LT, "epoch"))).isTrue();
        assertThat(keeps(r, p("draft", Op.EQ, "false"))).isTrue();
        // The per-row column is not fetched yet when the filter runs.
        assertThat(keeps(r, p("email", Op.EQ, "a@b"))).isTrue();
    }

    @Test
    void textOrdersByCodePointLikeDuckDb() {
        // U+FF21 (fullwidth A) sorts before U+1F600 by code point, though not by UTF-16 unit.
        Object[] r = row("\uFF21", 1, null);
        assertThat(keeps(r, p("title", Op.LT, "\uD83D\uDE00"))).isTrue();
    }
}
