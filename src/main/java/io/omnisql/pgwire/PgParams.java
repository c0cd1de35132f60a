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

/**
 * Bind parameters made into SQL literal tokens: numbers are validated as numbers (a negative one is
 * parenthesised so it can never join a preceding minus into a comment), everything else becomes a quoted string
 * literal that DuckDB casts where the statement compares it.
 */
final class PgParams {
    private PgParams() {
    }

    /** The literal of one parameter sent with {@code format} (0 text, 1 binary) for a declared type (0 unknown). */
    static String literal(byte[] value, int typeOid, int format) {
        if (value == null) {
            return "NULL";
        }
        PgType type = PgType.byOid(typeOid);
        if (format == 1) {
            return binaryLiteral(ByteBuffer.wrap(value), type, typeOid);
        }
        String text = new String(value, StandardCharsets.UTF_8);
        if (type == null) {
            return SqlTokens.literal(text);
        }
        return switch (type) {
            case INT2, INT4, INT8, OID, NUMERIC, FLOAT4, FLOAT8 -> number(text);
            case BOOL -> bool(text);
            default -> SqlTokens.literal(text);
        };
    }

    private static String binaryLiteral(ByteBuffer b, PgType type, int oid) {
        if (type == null) {
            throw bad("binary parameter of unsupported type OID " + oid + "; send it as text");
        }
        try {
            return switch (type) {
                case INT2 -> signed(b.getShort());
                case INT4, OID -> signed(b.getInt());
                case INT8 -> signed(b.getLong());
                case FLOAT4 -> number(Float.toString(b.getFloat()));
                case FLOAT8 -> number(Double.toString(b.getDouble()));
                case BOOL -> b.get() != 0 ? "TRUE" : "FALSE";
                case TEXT, VARCHAR, NAME, CHAR, JSON -> SqlTokens.literal(StandardCharsets.UTF_8.decode(b).toString());
                case DATE -> SqlTokens.literal(LocalDate.of(2000, 1, 1).plusDays(b.getInt()).toString());
                case TIMESTAMP -> SqlTokens.literal(LocalDateTime.of(2000, 1, 1, 0, 0).plus(b.getLong(), ChronoUnit.MICROS).toString());
                case TIMESTAMPTZ -> SqlTokens.literal(LocalDateTime.of(2000, 1, 1, 0, 0).plus(b.getLong(), ChronoUnit.MICROS)
                        .atOffset(ZoneOffset.UTC).toString());
                case UUID -> SqlTokens.literal(new java.util.UUID(b.getLong(), b.getLong()).toString());
                default -> throw bad("binary parameter of type " + type.typname() + " is not supported; send it as text");
            };
        } catch (java.nio.BufferUnderflowException e) {
            throw bad("binary parameter too short for its type " + type.typname());
        }
    }

    private static String signed(long v) {
        return v < 0 ? "(" + v + ")" : Long.toString(v);
    }

    private static String number(String text) {
        String t = text.strip();
        if (t.equalsIgnoreCase("NaN") || t.equalsIgnoreCase("Infinity") || t.equalsIgnoreCase("-Infinity")) {
            return SqlTokens.literal(t) + "::DOUBLE";
        }
        try {
            BigDecimal d = new BigDecimal(t);
            return d.signum() < 0 ? "(" + d.toPlainString() + ")" : d.toPlainString();
        } catch (NumberFormatException e) {
            throw new QueryException(ErrorCode.BAD_REQUEST, "invalid input syntax for a numeric parameter: \"" + text + "\"");
        }
    }

    private static String bool(String text) {
        return switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "t", "true", "yes", "on", "1", "y" -> "TRUE";
            case "f", "false", "no", "off", "0", "n" -> "FALSE";
            default -> throw new QueryException(ErrorCode.BAD_REQUEST, "invalid input syntax for type boolean: \"" + text + "\"");
        };
    }

    private static QueryException bad(String message) {
        return new QueryException(ErrorCode.BAD_REQUEST, message);
    }

    /** The statement with each {@code $n} token replaced by its literal. */
    static String substitute(List<SqlTokens.Token> tokens, List<String> literals) {
        StringBuilder b = new StringBuilder();
        for (SqlTokens.Token t : tokens) {
            if (t.kind() == SqlTokens.Kind.PARAM) {
                int i = Integer.parseInt(t.text().substring(1));
                if (i < 1 || i > literals.size()) {
                    throw new QueryException(ErrorCode.BAD_REQUEST, "there is no parameter " + t.text());
                }
                // Spaces keep a literal from fusing with a neighbouring token.
                b.append(' ').append(literals.get(i - 1)).append(' ');
            } else {
                b.append(t.text());
            }
        }
        return b.toString().strip();
    }
}
