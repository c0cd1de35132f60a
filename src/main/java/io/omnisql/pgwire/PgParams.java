package io.omnisql.pgwire;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import net.sf.jsqlparser.expression.BooleanValue;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.JdbcNamedParameter;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.create.table.ColDataType;
import net.sf.jsqlparser.util.deparser.ExpressionDeParser;
import net.sf.jsqlparser.util.deparser.SelectDeParser;
import net.sf.jsqlparser.util.deparser.StatementDeParser;

/**
 * Bind parameters made into typed literal nodes of the statement's syntax tree, never spliced into its text: the
 * statement is parsed once (JSqlParser reads Postgres's {@code $n} as a {@link JdbcParameter} with a fixed index),
 * and the tree is deparsed with each parameter node replaced by its literal node -- a validated number
 * ({@link LongValue}, {@link DoubleValue}), {@link BooleanValue}, {@link NullValue}, a {@link StringValue} (DuckDB casts
 * it where the statement compares it) or a {@code CAST} for dates and timestamps. The result goes to the governed
 * path, which parses and checks it again like any other query.
 */
final class PgParams {
    private PgParams() {
    }

    /** The literal node of one parameter sent with {@code format} (0 text, 1 binary) for a declared type (0 unknown). */
    static Expression literal(byte[] value, int typeOid, int format) {
        if (value == null) {
            return new NullValue();
        }
        PgType type = PgType.byOid(typeOid);
        if (format == 1) {
            return binaryLiteral(ByteBuffer.wrap(value), type, typeOid);
        }
        String text = new String(value, StandardCharsets.UTF_8);
        if (type == null) {
            return string(text);
        }
        return switch (type) {
            case INT2, INT4, INT8, OID, NUMERIC, FLOAT4, FLOAT8 -> number(text);
            case BOOL -> bool(text);
            case DATE -> cast(text, "DATE");
            case TIMESTAMP -> cast(text, "TIMESTAMP");
            case TIMESTAMPTZ -> cast(text, "TIMESTAMPTZ");
            default -> string(text);
        };
    }

    private static Expression binaryLiteral(ByteBuffer b, PgType type, int oid) {
        if (type == null) {
            throw bad("binary parameter of unsupported type OID " + oid + "; send it as text");
        }
        try {
            return switch (type) {
                case INT2 -> new LongValue(b.getShort());
                case INT4, OID -> new LongValue(b.getInt());
                case INT8 -> new LongValue(b.getLong());
                case FLOAT4 -> number(Float.toString(b.getFloat()));
                case FLOAT8 -> number(Double.toString(b.getDouble()));
                case BOOL -> new BooleanValue(b.get() != 0);
                case TEXT, VARCHAR, NAME, CHAR, JSON -> string(StandardCharsets.UTF_8.decode(b).toString());
                case DATE -> cast(LocalDate.of(2000, 1, 1).plusDays(b.getInt()).toString(), "DATE");
                case TIMESTAMP -> cast(LocalDateTime.of(2000, 1, 1, 0, 0).plus(b.getLong(), ChronoUnit.MICROS).toString(), "TIMESTAMP");
                case TIMESTAMPTZ -> cast(LocalDateTime.of(2000, 1, 1, 0, 0).plus(b.getLong(), ChronoUnit.MICROS)
                        .atOffset(ZoneOffset.UTC).toString(), "TIMESTAMPTZ");
                case UUID -> string(new java.util.UUID(b.getLong(), b.getLong()).toString());
                default -> throw bad("binary parameter of type " + type.typname() + " is not supported; send it as text");
            };
        } catch (java.nio.BufferUnderflowException e) {
            throw bad("binary parameter too short for its type " + type.typname());
        }
    }

    /** A string literal node; its value is held escaped (JSqlParser's convention), so a quote cannot end it. */
    private static StringValue string(String text) {
        if (text.indexOf('\0') >= 0) {
            throw bad("invalid byte sequence: a parameter contains a NUL character");
        }
        StringValue s = new StringValue();
        s.setValue(text.replace("'", "''"));
        return s;
    }

    private static Expression cast(String text, String type) {
        CastExpression c = new CastExpression();
        c.setLeftExpression(string(text.strip()));
        c.setColDataType(new ColDataType(type));
        return c;
    }

    private static Expression number(String text) {
        String t = text.strip();
        if (t.equalsIgnoreCase("NaN") || t.equalsIgnoreCase("Infinity") || t.equalsIgnoreCase("-Infinity")) {
            return cast(t, "DOUBLE");
        }
        BigDecimal d;
        try {
            d = new BigDecimal(t);
        } catch (NumberFormatException e) {
            throw new QueryException(ErrorCode.BAD_REQUEST, "invalid input syntax for a numeric parameter: \"" + text + "\"");
        }
        String plain = d.toPlainString();
        if (d.scale() <= 0) {
            try {
                return new LongValue(d.longValueExact());
            } catch (ArithmeticException tooBig) {
                // beyond a BIGINT: kept exact as a decimal literal below
            }
        }
        return new DoubleValue(plain);
    }

    private static Expression bool(String text) {
        return switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "t", "true", "yes", "on", "1", "y" -> new BooleanValue(true);
            case "f", "false", "no", "off", "0", "n" -> new BooleanValue(false);
            default -> throw new QueryException(ErrorCode.BAD_REQUEST, "invalid input syntax for type boolean: \"" + text + "\"");
        };
    }

    private static QueryException bad(String message) {
        return new QueryException(ErrorCode.BAD_REQUEST, message);
    }

    /**
     * The statement with each {@code $n} node replaced by its literal node, deparsed from the tree. A statement
     * JSqlParser cannot read is a syntax error (the governed path would refuse it the same way).
     */
    static String bind(String sql, List<Expression> literals) {
        Statement statement = parseOne(sql);
        StringBuilder out = new StringBuilder();
        ExpressionDeParser expressions = new ExpressionDeParser() {
            @Override
            public <S> StringBuilder visit(JdbcParameter parameter, S context) {
                Integer index = parameter.getIndex();
                if (!parameter.isUseFixedIndex() || !"$".equals(parameter.getParameterCharacter()) || index == null) {
                    throw bad("only $1, $2, ... parameters are supported");
                }
                if (index < 1 || index > literals.size()) {
                    throw bad("there is no parameter $" + index);
                }
                Expression literal = literals.get(index - 1);
                // "- $1" bound to -5 must not deparse as "--5", which would start a comment.
                if (negative(literal) && !buffer.isEmpty() && buffer.charAt(buffer.length() - 1) == '-') {
                    buffer.append(' ');
                }
                return literal.accept(this, context);
            }

            @Override
            public <S> StringBuilder visit(JdbcNamedParameter parameter, S context) {
                throw bad("only $1, $2, ... parameters are supported, not :" + parameter.getName());
            }
        };
        SelectDeParser selects = new SelectDeParser(expressions, out);
        expressions.setSelectVisitor(selects);
        expressions.setBuffer(out);
        statement.accept(new StatementDeParser(expressions, selects, out));
        return out.toString();
    }

    private static boolean negative(Expression e) {
        return e instanceof LongValue l && l.getValue() < 0 || e instanceof DoubleValue d && d.toString().startsWith("-");
    }

    private static Statement parseOne(String sql) {
        Statements statements;
        try {
            statements = CCJSqlParserUtil.newParser(sql).withAllowComplexParsing(true).Statements();
        } catch (Exception | Error e) {
            throw new QueryException(ErrorCode.SQL_SYNTAX, "syntax error in a statement with parameters");
        }
        if (statements == null || statements.size() != 1) {
            throw new QueryException(ErrorCode.SQL_SYNTAX, "a prepared statement must be exactly one statement");
        }
        return statements.get(0);
    }
}
