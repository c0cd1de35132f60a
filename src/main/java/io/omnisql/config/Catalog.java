package io.omnisql.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The validated content of catalog.yaml: sources, tables, lookup mappings and gateway defaults. */
public record Catalog(Defaults defaults,
                      Map<String, SourceDef> sources,
                      Map<String, TableDef> tables,
                      Map<String, Map<String, String>> mappings,
                      Map<String, Object> simulators,
                      Map<String, Object> observability) {

    public Optional<TableDef> table(String qualifiedName) {
        return Optional.ofNullable(tables.get(qualifiedName.toLowerCase(java.util.Locale.ROOT)));
    }

    /** Gateway-wide defaults and caps (the {@code defaults:} section). */
    public record Defaults(long maxStalenessMs, long timeoutMs, long maxTimeoutMs, int maxRowsPerTable,
                           int maxResultRows, long maxResultBytes, long cacheMaxBytes, int duckdbThreads,
                           String duckdbMemoryLimit, int maxConcurrentQueries, long queueTimeoutMs) {
    }

    /** One upstream API. {@code baseUrl} is either a URL or {@code embedded:github|jira}. */
    public record SourceDef(String name, String baseUrl, Auth auth, Map<String, String> headers,
                            Pagination pagination, long timeoutMs) {
        public boolean embedded() {
            return baseUrl.startsWith("embedded:");
        }
    }

    /** How a source authenticates; secrets are read from the environment at request time, never stored here. */
    public record Auth(String type, String tokenEnv, String userEnv) {
    }

    public enum PaginationStyle { LINK_HEADER, NEXT_PAGE_TOKEN, START_AT, NONE }

    public record Pagination(PaginationStyle style, int pageSize, String pageSizeParam, String tokenParam,
                             String tokenField, String lastField, String startParam, String totalField) {
    }

    /**
     * A table: where its rows come from ({@code path} with {@code {var}} slots filled by fan-out values),
     * fixed query parameters, an optional JQL parameter assembled from pushed clauses, the JSON path of the
     * row array, typed columns, and a description for {@code GET /v1/catalog} (empty when none).
     */
    public record TableDef(String name, String source, String method, String path, Map<String, String> params,
                           List<FanOut> fanOut, Jql jql, String fieldsParam, String rowsPath,
                           List<ColumnDef> columns, int maxRows, String description) {
        public Optional<ColumnDef> column(String name) {
            String n = name.toLowerCase(java.util.Locale.ROOT);
            return columns.stream().filter(c -> c.name().equals(n)).findFirst();
        }
    }

    /**
     * A dimension the table's requests are split over. {@code var} fills a {@code {var}} slot of the path,
     * or with {@code param} becomes a query parameter; {@code column} names the column whose pushed
     * {@code =}/{@code IN} narrows the values.
     */
    public record FanOut(String var, String param, String column, List<String> values) {
    }

    /** A JQL query parameter: fixed base clause, pushed clauses ANDed to it, then ORDER BY. */
    public record Jql(String param, String base, String orderBy) {
    }

    public enum ColumnType {
        VARCHAR, BIGINT, INTEGER, DOUBLE, BOOLEAN, TIMESTAMP;
    }

    /**
     * A column: its type, the dotted JSON path inside one row object ({@code fields.status.name},
     * {@code labels[0].name}), an optional lookup {@code mapping} applied to the value, the source-side field
     * name that projection pushdown requests ({@code field}), the operators it accepts for pushdown, and a
     * description for {@code GET /v1/catalog} (empty when none).
     */
    public record ColumnDef(String name, ColumnType type, String path, String mapping, String field,
                            Map<Op, PushRule> pushdown, String description) {
    }

    /** SQL comparison operators a column may accept for pushdown. */
    public enum Op {
        EQ("="), NE("!="), IN("IN"), NOT_IN("NOT IN"), GT(">"), GE(">="), LT("<"), LE("<=");

        private final String sql;

        Op(String sql) {
            this.sql = sql;
        }

        public String sql() {
            return sql;
        }

        public static Optional<Op> parse(String s) {
            String t = s.trim().toUpperCase(java.util.Locale.ROOT).replace("<>", "!=");
            for (Op op : values()) {
                if (op.sql.equals(t)) {
                    return Optional.of(op);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * How a pushed predicate becomes part of a request: a query {@code param} (value through {@code format},
     * where {@code {value}} is the literal and {@code {VAR.owner}} the owner part of a fan-out value), a JQL
     * clause on {@code jql} field, or a narrowing of the {@code fan_out}. {@code values}, when not empty, lists
     * the only literals the source accepts (others stay residual). {@code exact} says the source
     * applies it with SQL's meaning; inexact rules only narrow to a superset, and DuckDB always re-applies
     * every predicate anyway.
     */
    public record PushRule(Kind kind, String target, String format, boolean exact, List<String> values) {
        public enum Kind { PARAM, JQL, FAN_OUT }
    }
}
