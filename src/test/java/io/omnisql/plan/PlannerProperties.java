package io.omnisql.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.config.Catalog;
import io.omnisql.config.ConfigStore;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.fuzz.SqlGen;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Properties of planning hostile text (jqwik; failures print a seed that replays them): any input is planned or
 * refused with a 400-class QueryException, never another exception; the pre-parse scan never fails and measures
 * nesting exactly.
 */
class PlannerProperties {
    private static final Set<ErrorCode> REFUSALS = Set.of(ErrorCode.BAD_REQUEST, ErrorCode.SQL_SYNTAX,
            ErrorCode.SQL_TOO_COMPLEX, ErrorCode.UNSUPPORTED_STATEMENT, ErrorCode.UNKNOWN_TABLE, ErrorCode.UNKNOWN_COLUMN);
    private static Catalog catalog;
    private static Planner planner;

    @BeforeContainer
    static void load() throws Exception {
        catalog = ConfigStore.open(Path.of(".")).current().catalog();
        planner = new Planner();
    }

    @AfterContainer
    static void close() {
        planner.close();
    }

    @Provide
    Arbitrary<String> hostile() {
        return Arbitraries.randoms().map(SqlGen::hostile);
    }

    @Provide
    Arbitrary<String> text() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(400),
                Arbitraries.strings().withChars("()'\"`-*/;, \nabcSELECT1+=|E\\").ofMaxLength(400));
    }

    @Property(tries = 150)
    void hostileStatementsArePlannedOrRefusedWithA400(@ForAll("hostile") String sql) {
        plannedOrRefused(sql);
    }

    @Property(tries = 300)
    void arbitraryTextIsPlannedOrRefusedWithA400(@ForAll("text") String sql) {
        plannedOrRefused(sql);
    }

    private static void plannedOrRefused(String sql) {
        try {
            planner.plan(sql, catalog);
        } catch (QueryException e) {
            assertThat(REFUSALS).as(e.code() + ": " + e.getMessage()).contains(e.code());
        }
    }

    @Property(tries = 300)
    void theScanMeasuresNestingExactly(@ForAll("text") String sql) {
        StatementShape shape = StatementShape.of(sql);
        assertThat(shape.depth()).isGreaterThanOrEqualTo(shape.nesting());
        if (sql.chars().noneMatch(c -> c == '\'' || c == '"' || c == '`' || c == '-' || c == '/')) {
            int depth = 0;
            int max = 0;
            for (char c : sql.toCharArray()) {
                depth = c == '(' ? depth + 1 : c == ')' ? Math.max(0, depth - 1) : depth;
                max = Math.max(max, depth);
            }
            assertThat(shape.nesting()).isEqualTo(max);
        }
    }

    @Property(tries = 50)
    void chainsAreMeasuredAtLeastAsLongAsTheyAre(@ForAll("seeds") long seed) {
        Random r = new Random(seed);
        int terms = 1 + r.nextInt(3000);
        String[] ops = {" OR ", " AND ", " + ", " || ", " = "};
        String sql = "SELECT 1 WHERE a" + (ops[r.nextInt(ops.length)] + "a").repeat(terms);
        assertThat(StatementShape.of(sql).depth()).isGreaterThanOrEqualTo(terms);
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }
}
