package io.omnisql.pgwire;

import java.util.Locale;

/**
 * The Postgres types OmniSQL answers with: OID, fixed length (-1 variable), the name {@code format_type} shows,
 * and for arrays the element type. DuckDB types without a faithful Postgres twin (STRUCT, MAP, INTERVAL, ...)
 * are answered as {@code text} in DuckDB's own rendering.
 */
enum PgType {
    BOOL(16, 1, "boolean", null),
    BYTEA(17, -1, "bytea", null),
    CHAR(18, 1, "\"char\"", null),
    NAME(19, 64, "name", null),
    INT8(20, 8, "bigint", null),
    INT2(21, 2, "smallint", null),
    INT4(23, 4, "integer", null),
    TEXT(25, -1, "text", null),
    OID(26, 4, "oid", null),
    JSON(114, -1, "json", null),
    FLOAT4(700, 4, "real", null),
    FLOAT8(701, 8, "double precision", null),
    VARCHAR(1043, -1, "character varying", null),
    DATE(1082, 4, "date", null),
    TIME(1083, 8, "time without time zone", null),
    TIMESTAMP(1114, 8, "timestamp without time zone", null),
    TIMESTAMPTZ(1184, 8, "timestamp with time zone", null),
    NUMERIC(1700, -1, "numeric", null),
    UUID(2950, 16, "uuid", null),
    BOOL_ARRAY(1000, -1, "boolean[]", BOOL),
    INT2_ARRAY(1005, -1, "smallint[]", INT2),
    INT4_ARRAY(1007, -1, "integer[]", INT4),
    TEXT_ARRAY(1009, -1, "text[]", TEXT),
    VARCHAR_ARRAY(1015, -1, "character varying[]", VARCHAR),
    INT8_ARRAY(1016, -1, "bigint[]", INT8),
    FLOAT4_ARRAY(1021, -1, "real[]", FLOAT4),
    FLOAT8_ARRAY(1022, -1, "double precision[]", FLOAT8),
    TIMESTAMP_ARRAY(1115, -1, "timestamp without time zone[]", TIMESTAMP),
    DATE_ARRAY(1182, -1, "date[]", DATE),
    TIMESTAMPTZ_ARRAY(1185, -1, "timestamp with time zone[]", TIMESTAMPTZ),
    NUMERIC_ARRAY(1231, -1, "numeric[]", NUMERIC);

    final int oid;
    final int length;
    final String display;
    final PgType element;

    PgType(int oid, int length, String display, PgType element) {
        this.oid = oid;
        this.length = length;
        this.display = display;
        this.element = element;
    }

    /** The short name pg_type lists ({@code int8}, {@code _text}). */
    String typname() {
        if (element != null) {
            return "_" + element.typname();
        }
        return switch (this) {
            case BOOL -> "bool";
            case CHAR -> "char";
            case FLOAT4 -> "float4";
            case FLOAT8 -> "float8";
            default -> name().toLowerCase(Locale.ROOT);
        };
    }

    PgType array() {
        for (PgType t : values()) {
            if (t.element == this) {
                return t;
            }
        }
        return null;
    }

    static PgType byOid(int oid) {
        for (PgType t : values()) {
            if (t.oid == oid) {
                return t;
            }
        }
        return null;
    }

    /** The Postgres type of a DuckDB result column type name ({@code DECIMAL(18,3)}, {@code VARCHAR[]}). */
    static PgType ofDuckDb(String duckType) {
        String t = duckType.toUpperCase(Locale.ROOT).trim();
        if (t.endsWith("[]")) {
            PgType element = ofDuckDb(t.substring(0, t.length() - 2));
            PgType array = element.array();
            return array == null ? TEXT : array;
        }
        if (t.startsWith("DECIMAL") || t.startsWith("NUMERIC")) {
            return NUMERIC;
        }
        if (t.startsWith("VARCHAR")) {
            return TEXT;
        }
        return switch (t) {
            case "BOOLEAN", "BOOL" -> BOOL;
            case "TINYINT", "SMALLINT", "UTINYINT" -> INT2;
            case "INTEGER", "INT", "USMALLINT" -> INT4;
            case "BIGINT", "UINTEGER" -> INT8;
            case "HUGEINT", "UBIGINT", "UHUGEINT" -> NUMERIC;
            case "FLOAT", "REAL" -> FLOAT4;
            case "DOUBLE" -> FLOAT8;
            case "DATE" -> DATE;
            case "TIME" -> TIME;
            case "TIMESTAMP", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMP_S", "DATETIME" -> TIMESTAMP;
            case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ" -> TIMESTAMPTZ;
            case "UUID" -> UUID;
            case "BLOB" -> BYTEA;
            case "JSON" -> JSON;
            default -> TEXT;
        };
    }
}
