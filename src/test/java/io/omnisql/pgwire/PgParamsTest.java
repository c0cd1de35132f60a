package io.omnisql.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.sf.jsqlparser.expression.BooleanValue;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.select.PlainSelect;
import org.junit.jupiter.api.Test;

/** Bind parameters become typed literal nodes on the statement's syntax tree, never text spliced into it. */
class PgParamsTest {

    private static Expression text(String value, int oid) {
        return PgParams.literal(value.getBytes(StandardCharsets.UTF_8), oid, 0);
    }

    private static Expression where(String sql) throws Exception {
        return ((PlainSelect) CCJSqlParserUtil.parse(sql)).getWhere();
    }

    @Test
    void aQuoteInAParameterStaysInsideItsStringLiteral() throws Exception {
        String attack = "x' OR '1'='1";
        String sql = PgParams.bind("SELECT * FROM t WHERE a = $1", List.of(text(attack, 0)));
        // Re-read, the WHERE is still one comparison whose right side is the whole parameter as one string.
        EqualsTo eq = (EqualsTo) where(sql);
        assertThat(eq.getRightExpression()).isInstanceOf(StringValue.class);
        assertThat(((StringValue) eq.getRightExpression()).getValue().replace("''", "'")).isEqualTo(attack);
    }

    @Test
    void onlyParameterNodesAreReplacedNotDollarsInLiteralsOrComments() {
        String sql = PgParams.bind("SELECT '$1', \"$1\", x - $1 /* $1 */ FROM t WHERE y = $2",
                List.of(text("-5", 23), text("it's", 0)));
        // A negative number cannot join the minus before it into a "--" comment.
        assertThat(sql).isEqualTo("SELECT '$1', \"$1\", x - -5 FROM t WHERE y = 'it''s'");
    }

    @Test
    void parametersInEveryClauseAreBound() {
        String sql = PgParams.bind("WITH c AS (SELECT $1 AS v) SELECT * FROM c WHERE v IN ($2, $1) ORDER BY 1 LIMIT $3",
                List.of(text("a", 25), text("b", 25), text("10", 20)));
        assertThat(sql).doesNotContain("$").contains("'a' AS v", "IN ('b', 'a')", "LIMIT 10");
    }

    @Test
    void typedParametersBecomeTypedLiteralNodes() {
        assertThat(PgParams.literal(ByteBuffer.allocate(8).putLong(-3).array(), 20, 1))
                .isInstanceOfSatisfying(LongValue.class, l -> assertThat(l.getValue()).isEqualTo(-3));
        assertThat(PgParams.literal(new byte[] {1}, 16, 1)).isInstanceOfSatisfying(BooleanValue.class,
                b -> assertThat(b.getValue()).isTrue());
        assertThat(PgParams.literal(null, 25, 0)).isInstanceOf(NullValue.class);
        assertThat(text("2024-02-29", 1082)).isInstanceOfSatisfying(CastExpression.class,
                c -> assertThat(c.toString()).isEqualTo("CAST('2024-02-29' AS DATE)"));
        assertThat(PgParams.bind("SELECT * FROM t WHERE d = $1 AND n = $2",
                List.of(text("2024-02-29", 1082), text("123456789012345678901234.5", 1700))))
                .isEqualTo("SELECT * FROM t WHERE d = CAST('2024-02-29' AS DATE) AND n = 123456789012345678901234.5");
    }

    @Test
    void malformedTypedParametersAreRefused() {
        assertThatThrownBy(() -> text("1; DROP", 20)).hasMessageContaining("numeric parameter");
        assertThatThrownBy(() -> text("maybe", 16)).hasMessageContaining("boolean");
        assertThatThrownBy(() -> PgParams.literal(new byte[] {0, 1}, 23, 1)).hasMessageContaining("too short");
    }

    @Test
    void parametersOtherThanDollarNumbersAndMissingOnesAreRefused() {
        assertThatThrownBy(() -> PgParams.bind("SELECT * FROM t WHERE a = ?", List.of(text("1", 23))))
                .hasMessageContaining("$1");
        assertThatThrownBy(() -> PgParams.bind("SELECT * FROM t WHERE a = $2", List.of(text("1", 23))))
                .hasMessageContaining("no parameter $2");
    }
}
