package io.omnisql.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.DateTimeLiteralExpression;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.SignedExpression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.TimestampValue;
import net.sf.jsqlparser.expression.operators.relational.ComparisonOperator;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.GreaterThan;
import net.sf.jsqlparser.expression.operators.relational.GreaterThanEquals;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.expression.operators.relational.MinorThan;
import net.sf.jsqlparser.expression.operators.relational.MinorThanEquals;
import net.sf.jsqlparser.expression.operators.relational.NotEqualsTo;

/**
 * A single-column comparison read from JSqlParser's tree: {@code column op value}, {@code value op column}
 * (the operator flipped) or {@code column [NOT] IN (values...)}. The one place that knows this shape: the
 * planner reads it from a statement's WHERE (column = a catalog column of a reference, value = a literal), a
 * policy row filter from its {@code where} (value = a literal or a principal attribute).
 *
 * @param <C> what the caller's reading of a column gives (a name, a catalog column)
 * @param <V> what the caller's reading of a value gives (a literal's text, an operand)
 */
public record ColumnComparison<C, V>(C column, Op op, List<V> values) {
    public ColumnComparison {
        values = List.copyOf(values);
    }

    /**
     * The expression as a comparison, or null when it is anything else.
     *
     * @param column the column an expression names, or null when it is not one the caller compares
     * @param value  the value an expression stands for, or null when it is not one the caller accepts
     */
    public static <C, V> ColumnComparison<C, V> of(Expression e, Function<Expression, C> column,
                                             Function<Expression, V> value) {
        if (e instanceof InExpression in) {
            C c = column.apply(in.getLeftExpression());
            if (c == null || !(in.getRightExpression() instanceof ExpressionList<?> list) || list.isEmpty()) {
                return null;
            }
            List<V> values = new ArrayList<>();
            for (Object item : list) {
                V v = value.apply((Expression) item);
                if (v == null) {
                    return null;
                }
                values.add(v);
            }
            return new ColumnComparison<>(c, in.isNot() ? Op.NOT_IN : Op.IN, values);
        }
        if (!(e instanceof ComparisonOperator cmp)) {
            return null;
        }
        Op op = opOf(cmp);
        if (op == null) {
            return null;
        }
        C c = column.apply(cmp.getLeftExpression());
        V v;
        if (c != null) {
            v = value.apply(cmp.getRightExpression());
        } else {
            c = column.apply(cmp.getRightExpression());
            v = c == null ? null : value.apply(cmp.getLeftExpression());
            op = op.flipped();
        }
        return c == null || v == null ? null : new ColumnComparison<>(c, op, List.of(v));
    }

    /** The operator of a SQL comparison, or null for one no source could apply. */
    public static Op opOf(ComparisonOperator cmp) {
        return cmp instanceof EqualsTo ? Op.EQ : cmp instanceof NotEqualsTo ? Op.NE : cmp instanceof GreaterThan ? Op.GT
                : cmp instanceof GreaterThanEquals ? Op.GE : cmp instanceof MinorThan ? Op.LT
                : cmp instanceof MinorThanEquals ? Op.LE : null;
    }

    /** The text of a plain literal: a string (quotes undoubled), an integer or a decimal; null for anything else. */
    public static String plainLiteral(Expression e) {
        if (e instanceof StringValue s) {
            return s.getValue().replace("''", "'");
        }
        if (e instanceof LongValue || e instanceof DoubleValue) {
            return e.toString();
        }
        return null;
    }

    /**
     * The text of a literal whose value DuckDB and a source read alike: a plain literal, a negative number, a
     * DATE or TIMESTAMP literal, or a cast of a literal to a plain type; null for anything else. Escape strings
     * ({@code E'ma\\x69n'}) and other prefixed strings, and typed literals other than DATE and TIMESTAMP (a
     * TIMESTAMPTZ literal makes DuckDB compare in its time zone) stay with DuckDB.
     */
    public static String literal(Expression e) {
        if (e instanceof CastExpression cast) {
            return castLiteral(cast);
        }
        if (e instanceof StringValue s) {
            String prefix = s.getPrefix();
            return prefix == null || prefix.equalsIgnoreCase("N") ? plainLiteral(s) : null;
        }
        String plain = plainLiteral(e);
        if (plain != null) {
            return plain;
        }
        if (e instanceof SignedExpression s && s.getSign() == '-'
                && (s.getExpression() instanceof LongValue || s.getExpression() instanceof DoubleValue)) {
            return "-" + s.getExpression();
        }
        if (e instanceof DateTimeLiteralExpression d) {
            DateTimeLiteralExpression.DateTime type = d.getType();
            String value = stripQuotes(d.getValue());
            return (type == DateTimeLiteralExpression.DateTime.DATE || type == DateTimeLiteralExpression.DateTime.TIMESTAMP)
                    && !value.contains("'") ? value : null;
        }
        if (e instanceof TimestampValue t) {
            return t.getValue().toString();
        }
        return null;
    }

    /**
     * A cast of a literal ({@code TIMESTAMP '...'}, which JSqlParser reads as a cast, {@code CAST('...' AS DATE)},
     * {@code '...'::TIMESTAMP}) pushes as the literal's text: the source compares it as the column's type, and
     * DuckDB re-applies the cast. Casts to zoned types stay with DuckDB (it would compare in its own time zone).
     */
    private static String castLiteral(CastExpression cast) {
        String type = cast.getColDataType() == null ? "" : cast.getColDataType().toString().toUpperCase(Locale.ROOT).trim();
        boolean plain = type.matches("(DATE|TIMESTAMP|DATETIME|VARCHAR|TEXT|STRING|INTEGER|INT|BIGINT|DOUBLE)(\\s*\\(\\s*\\d+\\s*\\))?");
        return plain && !(cast.getLeftExpression() instanceof CastExpression) ? literal(cast.getLeftExpression()) : null;
    }

    private static String stripQuotes(String s) {
        return s.length() >= 2 && s.startsWith("'") && s.endsWith("'") ? s.substring(1, s.length() - 1) : s;
    }
}
