package io.omnisql.config;

import io.omnisql.sql.Op;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The validated content of catalog.yaml: sources, tables, lookup mappings and gateway defaults. */
public record Catalog(Defaults defaults,
                      Map<String, SourceDef> sources,
                      Map<String, TableDef> tables,
                      Map<String, Map<String, String>> mappings,
                      Map<String, Object> simulators,
                      Map<String, Object> observability,
                      Map<String, Object> pgwire,
                      Map<String, Object> cluster,
                      Tags tags) {

    public Optional<TableDef> table(String qualifiedName) {
        return Optional.ofNullable(tables.get(qualifiedName.toLowerCase(java.util.Locale.ROOT)));
    }

    /**
     * The {@code tags:} of tables and columns, kept beside the definitions (a tag says how data is governed, not
     * how it is fetched, so retagging never invalidates cached data).
     *
     * @param tables  table name -> its tags
     * @param columns table name -> column name -> its tags (untagged columns absent)
     */
    public record Tags(Map<String, java.util.Set<String>> tables, Map<String, Map<String, java.util.Set<String>>> columns) {
        public Tags {
            tables = Map.copyOf(tables);
            columns = Map.copyOf(columns);
        }

        public java.util.Set<String> ofTable(String table) {
            return tables.getOrDefault(table, java.util.Set.of());
        }

        public java.util.Set<String> ofColumn(String table, String column) {
            return columns.getOrDefault(table, Map.of()).getOrDefault(column, java.util.Set.of());
        }

        /** Whether the table carries the tag itself or on one of its columns. */
        public boolean tableCarries(String table, String tag) {
            return ofTable(table).contains(tag)
                    || columns.getOrDefault(table, Map.of()).values().stream().anyMatch(t -> t.contains(tag));
        }

        /** Every tag used anywhere in the catalog. */
        public java.util.Set<String> all() {
            java.util.Set<String> out = new java.util.TreeSet<>();
            tables.values().forEach(out::addAll);
            columns.values().forEach(m -> m.values().forEach(out::addAll));
            return out;
        }
    }

    /** Gateway-wide defaults and caps (the {@code defaults:} section). */
    public record Defaults(long maxStalenessMs, long timeoutMs, long maxTimeoutMs, int maxRowsPerTable,
                           int maxResultRows, long maxResultBytes, long cacheMaxBytes, int duckdbThreads,
                           String duckdbMemoryLimit, int maxConcurrentQueries, long queueTimeoutMs, SqlLimits sql,
                           long validatorStoreBytes, boolean joinPushdown) {
    }

    /**
     * Bounds on the work a statement may cost before any engine runs it: its length, parenthesis nesting,
     * expression depth (operators chained in one expression, summed along the nesting), the time parsing may
     * take, and the bytes the plan cache (plans and their source requests) may hold. The depth default (256)
     * stays far below where DuckDB's optimiser cost explodes (an 800-term chain took it tens of seconds).
     */
    public record SqlLimits(int maxChars, int maxNesting, int maxExpressionDepth, long parseTimeoutMs,
                            long planCacheMaxBytes) {
        public static final SqlLimits DEFAULTS = new SqlLimits(100_000, 64, 256, 2_000, 32L << 20);
    }

    /**
     * One upstream API. {@code baseUrl} is either a URL or {@code embedded:github|jira}; {@code retries} bounds
     * the extra attempts of one request after a 5xx, a connection reset or an upstream rate limit. Values of
     * {@code headers} and {@code queryParams} (added to every request, never shown in explain) are templates that
     * may read secrets: {@code ${env:NAME}}, {@code ${file:/run/secrets/name}}.
     */
    public record SourceDef(String name, String baseUrl, Auth auth, Map<String, String> headers,
                            Pagination pagination, long timeoutMs, int retries, Map<String, String> queryParams,
                            boolean freeRevalidation) {
        public boolean embedded() {
            return baseUrl.startsWith("embedded:");
        }
    }

    /**
     * How a source authenticates: {@code none}, {@code bearer}, {@code basic} (secret from {@code tokenEnv} /
     * {@code userEnv}, or the templates {@code token} / {@code user}), {@code oauth2_client_credentials}
     * ({@code tokenUrl}, {@code clientId}, {@code clientSecret}, {@code scope}) or {@code github_app}
     * ({@code appId}, {@code installationId}, {@code privateKey}: a PEM). Every value but the type and URL is a
     * template ({@code ${env:NAME}}, {@code ${file:/path}}, or literal text); secrets are read by the connector,
     * never stored here.
     */
    public record Auth(String type, String tokenEnv, String userEnv, String token, String user, String tokenUrl,
                       String clientId, String clientSecret, String scope, String appId, String installationId,
                       String privateKey) {
        /** Every template this auth reads, by its key (for checking at load that each secret is there). */
        public Map<String, String> templates() {
            Map<String, String> out = new java.util.LinkedHashMap<>();
            for (String[] kv : new String[][] {{"token", token}, {"user", user}, {"client_id", clientId},
                    {"client_secret", clientSecret}, {"app_id", appId}, {"installation_id", installationId},
                    {"private_key", privateKey}}) {
                if (!kv[1].isEmpty()) {
                    out.put(kv[0], kv[1]);
                }
            }
            return out;
        }
    }

    /**
     * {@code CURSOR}: the next cursor is inside the body at a dotted path (Slack's
     * {@code response_metadata.next_cursor}), empty on the last page. {@code OFFSET}: offset and limit parameters,
     * and a boolean {@code more} in the body (PagerDuty).
     */
    public enum PaginationStyle { LINK_HEADER, NEXT_PAGE_TOKEN, START_AT, CURSOR, OFFSET, NONE }

    /** {@code tokenField} may be a dotted path (cursor style); {@code moreField} is read by offset paging. */
    public record Pagination(PaginationStyle style, int pageSize, String pageSizeParam, String tokenParam,
                             String tokenField, String lastField, String startParam, String totalField,
                             String moreField) {
    }

    /**
     * A table: where its rows come from ({@code path} with {@code {var}} slots filled by fan-out values),
     * fixed query parameters, an optional JQL parameter assembled from pushed clauses, the JSON path of the
     * row array, typed columns, and a description for {@code GET /v1/catalog} (empty when none). With
     * {@code method} POST (APIs that search by POST), {@code body} is the JSON object sent, and the request's
     * query parameters (paging, pushed filters) travel as its fields instead.
     */
    public record TableDef(String name, String source, String method, String path, Map<String, String> params,
                           List<FanOut> fanOut, Jql jql, String fieldsParam, String rowsPath,
                           List<ColumnDef> columns, int maxRows, String description, Map<String, Object> body) {
        public Optional<ColumnDef> column(String name) {
            String n = name.toLowerCase(java.util.Locale.ROOT);
            return columns.stream().filter(c -> c.name().equals(n)).findFirst();
        }
    }

    /**
     * A dimension the table's requests are split over. {@code var} fills a {@code {var}} slot of the path,
     * {@code param} becomes a query parameter, or {@code jql} adds {@code field = "value"} to the table's JQL
     * (so a source that pages one page after another is read as several concurrent streams); exactly one is
     * set. {@code column} names the column whose pushed {@code =}/{@code IN} narrows the values.
     */
    public record FanOut(String var, String param, String jql, String column, List<String> values) {
        /** How pushdown rules refer to it ({@code fan_out: NAME}). */
        public String name() {
            return !var.isEmpty() ? var : !param.isEmpty() ? param : jql;
        }
    }

    /**
     * A JQL query parameter: fixed base clause, pushed clauses ANDed to it, then ORDER BY. Jira reads JQL dates
     * in the API user's time zone: {@code timeZone} names it, or is null when unknown (date ranges then widen
     * by the largest UTC offsets so they still cover every matching row).
     */
    public record Jql(String param, String base, String orderBy, java.time.ZoneId timeZone) {
    }

    public enum ColumnType {
        VARCHAR, BIGINT, INTEGER, DOUBLE, BOOLEAN, TIMESTAMP;
    }

    /**
     * A column: its type, the dotted JSON path inside one row object ({@code fields.status.name},
     * {@code labels[0].name}), an optional lookup {@code mapping} applied to the value, the source-side field
     * name that projection pushdown requests ({@code field}, or {@code fieldName}: the field's display name, whose
     * site-specific id fills {@code {field}} in the path and JQL targets), the operators it accepts for pushdown,
     * and a description for {@code GET /v1/catalog} (empty when none). A {@code perRow} column is not in the list
     * response: it costs one call per row (see {@link PerRow}).
     */
    public record ColumnDef(String name, ColumnType type, String path, String mapping, String field,
                            Map<Op, PushRule> pushdown, PerRow perRow, String description, String fieldName) {
        /** The slot in {@code path} and in JQL pushdown targets that a resolved {@code field_name} fills. */
        public static final String FIELD_SLOT = "{field}";

        public ColumnDef(String name, ColumnType type, String path, String mapping, String field,
                         Map<Op, PushRule> pushdown, PerRow perRow, String description) {
            this(name, type, path, mapping, field, pushdown, perRow, description, "");
        }

        public boolean isPerRow() {
            return perRow != null;
        }

        /** Declared by the field's display name (Jira: ids differ between sites); resolved per site at query time. */
        public boolean byFieldName() {
            return !fieldName.isEmpty();
        }
    }

    /**
     * Where a per-row column comes from: GET {@code path} (relative to the source's base URL, {@code {column}}
     * slots filled from the row's own columns), then the JSON path {@code value} in that answer. Fetched only
     * when a query uses the column, only for rows that pass the table's own WHERE conjuncts, at most
     * {@code concurrency} calls at a time, each answer cached per URL for {@code cacheTtlMs}.
     */
    public record PerRow(String path, String value, int concurrency, long cacheTtlMs) {
        /** The column names the path's slots read. */
        public List<String> slots() {
            List<String> out = new java.util.ArrayList<>();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([a-z_][a-z0-9_]*)}").matcher(path);
            while (m.find()) {
                out.add(m.group(1));
            }
            return out;
        }
    }

    /**
     * How a pushed predicate becomes part of a request: a query {@code param} (value through {@code format},
     * where {@code {value}} is the literal and {@code {VAR.owner}} the owner part of a fan-out value), a JQL
     * clause on {@code jql} field, or a narrowing of the {@code fan_out}. {@code values}, when not empty, lists
     * the only literals the source accepts (others stay residual), and {@code pattern}, when not null, the shape
     * every pushed literal must have: an API that rejects unknown or malformed values (Jira answers 400 for a
     * status that does not exist) must not see them, since SQL answers such a filter with no rows, not an
     * error. {@code exact} says the source
     * applies it with SQL's meaning; inexact rules only narrow to a superset, and DuckDB always re-applies
     * every predicate anyway.
     */
    public record PushRule(Kind kind, String target, String format, boolean exact, List<String> values,
                           String pattern) {
        public boolean accepts(List<String> literals) {
            return (values.isEmpty() || values.containsAll(literals))
                    && (pattern == null || literals.stream().allMatch(l -> java.util.regex.Pattern.matches(pattern, l)));
        }

        public enum Kind { PARAM, JQL, FAN_OUT }
    }
}
