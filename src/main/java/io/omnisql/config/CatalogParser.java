package io.omnisql.config;

import io.omnisql.config.Catalog.Auth;
import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.ColumnType;
import io.omnisql.config.Catalog.Defaults;
import io.omnisql.config.Catalog.FanOut;
import io.omnisql.config.Catalog.Jql;
import io.omnisql.config.Catalog.Pagination;
import io.omnisql.config.Catalog.PaginationStyle;
import io.omnisql.config.Catalog.PerRow;
import io.omnisql.config.Catalog.PushRule;
import io.omnisql.config.Catalog.SourceDef;
import io.omnisql.config.Catalog.TableDef;
import io.omnisql.sql.Op;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** catalog.yaml -> {@link Catalog}, rejecting anything the planner or connectors could not honour. */
final class CatalogParser {
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Pattern SLOT = Pattern.compile("\\{([a-zA-Z_][a-zA-Z0-9_]*)(\\.owner)?}");
    /** A tag: dotted lower-case words ({@code pii.email}), so policies can name a family by its prefix. */
    private static final Pattern TAG = Pattern.compile("[a-z][a-z0-9_-]*(\\.[a-z0-9_-]+)*");

    private CatalogParser() {
    }

    static Catalog parse(YamlTree tree) throws ConfigException {
        Section root = new Section(tree, "", tree.root());
        root.allowOnly(Set.of("defaults", "sources", "tables", "mappings", "simulators", "observability", "pgwire",
                "cluster"));
        Defaults defaults = defaults(root.section("defaults", false));
        Map<String, SourceDef> sources = new LinkedHashMap<>();
        for (Map.Entry<String, Section> e : root.sections("sources").entrySet()) {
            sources.put(e.getKey(), source(e.getKey(), e.getValue()));
        }
        Map<String, Map<String, String>> mappings = new LinkedHashMap<>();
        Section mappingSection = root.section("mappings", false);
        for (String name : mappingSection.raw().keySet()) {
            mappings.put(name, Map.copyOf(mappingSection.stringMap(name)));
        }
        Map<String, TableDef> tables = new LinkedHashMap<>();
        Map<String, Set<String>> tableTags = new LinkedHashMap<>();
        Map<String, Map<String, Set<String>>> columnTags = new LinkedHashMap<>();
        for (Map.Entry<String, Section> e : root.sections("tables").entrySet()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            Section f = e.getValue();
            if (!name.matches("[a-z_][a-z0-9_]*\\.[a-z_][a-z0-9_]*")) {
                throw f.error(null, "table names are schema.table in lower case letters, digits and _");
            }
            tables.put(name, table(name, f, sources, mappings, defaults));
            tableTags.put(name, tags(f));
            Map<String, Set<String>> byColumn = new LinkedHashMap<>();
            Section cols = f.section("columns", true);
            for (String colName : cols.raw().keySet()) {
                Set<String> t = tags(cols.section(colName, true));
                if (!t.isEmpty()) {
                    byColumn.put(colName.toLowerCase(Locale.ROOT), t);
                }
            }
            columnTags.put(name, Map.copyOf(byColumn));
        }
        if (tables.isEmpty()) {
            throw root.error("tables", "at least one table is required");
        }
        return new Catalog(defaults, Map.copyOf(sources), java.util.Collections.unmodifiableMap(tables),
                Map.copyOf(mappings), root.rawSection("simulators"), root.rawSection("observability"),
                root.rawSection("pgwire"), root.rawSection("cluster"), new Catalog.Tags(tableTags, columnTags));
    }

    /** The {@code tags:} of a table or column: one tag or a list, each a dotted lower-case name. */
    private static Set<String> tags(Section f) throws ConfigException {
        Object raw = f.raw().get("tags");
        List<String> list = raw instanceof List || raw == null ? f.strings("tags") : List.of(f.string("tags", null));
        Set<String> out = new java.util.LinkedHashSet<>();
        for (String tag : list) {
            if (!TAG.matcher(tag).matches()) {
                throw f.error("tags", "tag '" + tag + "' must be dotted lower-case words such as pii.email or team");
            }
            out.add(tag);
        }
        return Set.copyOf(out);
    }

    private static Defaults defaults(Section f) throws ConfigException {
        f.allowOnly(Set.of("max_staleness_ms", "timeout_ms", "max_timeout_ms", "max_rows_per_table",
                "max_result_rows", "max_result_bytes", "cache_max_bytes", "duckdb_threads", "duckdb_memory_limit",
                "max_concurrent_queries", "queue_timeout_ms", "max_sql_chars", "max_sql_nesting",
                "max_sql_expression_depth", "parse_timeout_ms", "plan_cache_max_bytes", "validator_store_bytes",
                "join_pushdown"));
        long timeout = f.number("timeout_ms", 30_000, 1, 3_600_000);
        long maxTimeout = f.number("max_timeout_ms", 120_000, 1, 3_600_000);
        if (timeout > maxTimeout) {
            throw f.error("timeout_ms", "must not exceed max_timeout_ms (" + maxTimeout + ")");
        }
        String mem = f.string("duckdb_memory_limit", "2GB");
        if (!mem.matches("(?i)\\d+(\\.\\d+)?\\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)")) {
            throw f.error("duckdb_memory_limit", "must be a size such as 512MB or 2GB");
        }
        return new Defaults(
                f.number("max_staleness_ms", 60_000, 0, Long.MAX_VALUE),
                timeout, maxTimeout,
                (int) f.number("max_rows_per_table", 200_000, 1, 50_000_000),
                (int) f.number("max_result_rows", 100_000, 1, 50_000_000),
                f.number("max_result_bytes", 64L << 20, 1024, 1L << 34),
                f.number("cache_max_bytes", 512L << 20, 0, 1L << 40),
                (int) f.number("duckdb_threads", 2, 1, 256),
                mem,
                (int) f.number("max_concurrent_queries", 64, 1, 100_000),
                f.number("queue_timeout_ms", 2_000, 0, 600_000),
                sqlLimits(f),
                f.number("validator_store_bytes", 64L << 20, 0, 1L << 40),
                f.bool("join_pushdown", true));
    }

    private static Catalog.SqlLimits sqlLimits(Section f) throws ConfigException {
        Catalog.SqlLimits d = Catalog.SqlLimits.DEFAULTS;
        // Upper bounds keep the planner's own recursion (16 MiB parse stacks) and DuckDB's depth limit in reach.
        return new Catalog.SqlLimits(
                (int) f.number("max_sql_chars", d.maxChars(), 16, 10_000_000),
                (int) f.number("max_sql_nesting", d.maxNesting(), 1, 256),
                (int) f.number("max_sql_expression_depth", d.maxExpressionDepth(), 1, 1_000),
                f.number("parse_timeout_ms", d.parseTimeoutMs(), 1, 600_000),
                f.number("plan_cache_max_bytes", d.planCacheMaxBytes(), 0, 1L << 34));
    }

    private static SourceDef source(String name, Section f) throws ConfigException {
        f.allowOnly(Set.of("base_url", "auth", "headers", "query_params", "pagination", "timeout_ms", "retries",
                "conditional_requests"));
        String base = f.string("base_url", null);
        if (!base.matches("embedded:(github|jira)") && !base.matches("https?://[^\\s]+")) {
            throw f.error("base_url", "must be an http(s) URL or embedded:github / embedded:jira");
        }
        Auth auth = auth(f.section("auth", false));
        Map<String, String> headers = f.stringMap("headers");
        Map<String, String> queryParams = f.stringMap("query_params");
        for (Map.Entry<String, String> e : headers.entrySet()) {
            template(f.section("headers", false), e.getKey(), e.getValue());
        }
        for (Map.Entry<String, String> e : queryParams.entrySet()) {
            template(f.section("query_params", false), e.getKey(), e.getValue());
        }
        Section p = f.section("pagination", false);
        p.allowOnly(Set.of("style", "page_size", "page_size_param", "token_param", "token_field", "last_field",
                "start_param", "total_field", "more_field"));
        PaginationStyle style;
        try {
            style = PaginationStyle.valueOf(p.string("style", "none").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw p.error("style", "must be one of link_header, next_page_token, start_at, cursor, offset, none");
        }
        boolean cursor = style == PaginationStyle.CURSOR;
        boolean offset = style == PaginationStyle.OFFSET;
        Pagination pagination = new Pagination(style, (int) p.number("page_size", 100, 1, 10_000),
                p.string("page_size_param", cursor || offset ? "limit" : "per_page"),
                p.string("token_param", cursor ? "cursor" : "nextPageToken"),
                p.string("token_field", cursor ? "response_metadata.next_cursor" : "nextPageToken"),
                p.string("last_field", "isLast"), p.string("start_param", offset ? "offset" : "startAt"),
                p.string("total_field", "total"), p.string("more_field", "more"));
        return new SourceDef(name, base, auth, Map.copyOf(headers), pagination,
                f.number("timeout_ms", 10_000, 1, 3_600_000), (int) f.number("retries", 3, 0, 10), Map.copyOf(queryParams),
                conditionalRequestsFree(f));
    }

    /**
     * Whether the upstream leaves a conditional request answered 304 off its quota ({@code free}, GitHub's
     * documented behaviour) or counts it like any other ({@code charged}, the default: unknown means charged).
     */
    private static boolean conditionalRequestsFree(Section f) throws ConfigException {
        String value = f.string("conditional_requests", "charged");
        return switch (value) {
            case "free" -> true;
            case "charged" -> false;
            default -> throw f.error("conditional_requests", "must be free or charged");
        };
    }

    /** {@code ${env:NAME}} or {@code ${file:/absolute/path}} references inside a value; any other {@code ${} is refused. */
    private static final Pattern SECRET_REF = Pattern.compile("\\$\\{(env:[A-Za-z_][A-Za-z0-9_]*|file:/[^}]+)}");

    private static String template(Section f, String key, String value) throws ConfigException {
        if (SECRET_REF.matcher(value).replaceAll("").contains("${")) {
            throw f.error(key, "a secret is ${env:NAME} or ${file:/absolute/path}");
        }
        return value;
    }

    private static Auth auth(Section a) throws ConfigException {
        a.allowOnly(Set.of("type", "token_env", "user_env", "token", "user", "token_url", "client_id", "client_secret",
                "scope", "app_id", "installation_id", "private_key"));
        String type = a.string("type", "none");
        Map<String, Set<String>> required = Map.of("none", Set.of(), "bearer", Set.of(), "basic", Set.of(),
                "oauth2_client_credentials", Set.of("token_url", "client_id", "client_secret"),
                "github_app", Set.of("app_id", "installation_id", "private_key"));
        if (!required.containsKey(type)) {
            throw a.error("type", "must be none, bearer, basic, oauth2_client_credentials or github_app");
        }
        for (String key : required.get(type)) {
            a.string(key, null);
        }
        String[] t = new String[12];
        String[] keys = {"token_env", "user_env", "token", "user", "token_url", "client_id", "client_secret", "scope",
                "app_id", "installation_id", "private_key"};
        for (int i = 0; i < keys.length; i++) {
            t[i] = template(a, keys[i], a.string(keys[i], ""));
        }
        Auth auth = new Auth(type, t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9], t[10]);
        if (type.equals("bearer") || type.equals("basic")) {
            if (auth.tokenEnv().isEmpty() == auth.token().isEmpty()) {
                throw a.error("token", "give token (e.g. ${file:/run/secrets/api-token}) or token_env (a variable name);"
                        + " exactly one is required for " + type);
            }
            if (type.equals("basic") && auth.userEnv().isEmpty() == auth.user().isEmpty()) {
                throw a.error("user", "give user (e.g. ${env:JIRA_EMAIL}) or user_env; exactly one is required for basic");
            }
        }
        if (!auth.tokenUrl().isEmpty() && !auth.tokenUrl().matches("(https?://|/)[^\\s]*")) {
            throw a.error("token_url", "must be an http(s) URL, or a path on the source's base_url (/oauth/token)");
        }
        return auth;
    }

    private static TableDef table(String name, Section f, Map<String, SourceDef> sources,
                                  Map<String, Map<String, String>> mappings, Defaults defaults) throws ConfigException {
        f.allowOnly(Set.of("source", "method", "path", "params", "fan_out", "jql", "fields_param", "rows",
                "columns", "max_rows", "description", "body", "tags"));
        String source = f.string("source", null);
        if (!sources.containsKey(source)) {
            throw f.error("source", "unknown source '" + source + "' (declared: " + sources.keySet() + ")");
        }
        String method = f.string("method", "GET").toUpperCase(Locale.ROOT);
        if (!method.equals("GET") && !method.equals("POST")) {
            throw f.error("method", "GET, or POST for APIs that search by POST (reads only: they are retried)");
        }
        if (f.has("body") && !method.equals("POST")) {
            throw f.error("body", "a body is sent only with method: POST");
        }
        String path = f.string("path", null);
        if (!path.startsWith("/")) {
            throw f.error("path", "must start with /");
        }
        Jql jql = null;
        if (f.has("jql")) {
            Section j = f.section("jql", true);
            j.allowOnly(Set.of("param", "base", "order_by", "time_zone"));
            java.time.ZoneId zone = null;
            if (j.has("time_zone")) {
                try {
                    zone = java.time.ZoneId.of(j.string("time_zone", null));
                } catch (java.time.DateTimeException e) {
                    throw j.error("time_zone", "unknown time zone (use an id such as UTC or Europe/Berlin)");
                }
            }
            jql = new Jql(j.string("param", "jql"), j.string("base", ""), j.string("order_by", ""), zone);
        }
        List<FanOut> fanOuts = new ArrayList<>();
        for (Section fo : f.list("fan_out")) {
            fo.allowOnly(Set.of("var", "param", "jql", "column", "values"));
            FanOut fanOut = new FanOut(fo.string("var", ""), fo.string("param", ""), fo.string("jql", ""),
                    fo.string("column", ""), fo.strings("values"));
            if (Stream.of(fanOut.var(), fanOut.param(), fanOut.jql()).filter(k -> !k.isEmpty()).count() != 1) {
                throw fo.error(null, "give exactly one of var (a {slot} of the path), param (a query parameter) or "
                        + "jql (a JQL field)");
            }
            if (!fanOut.jql().isEmpty() && jql == null) {
                throw fo.error("jql", "the table has no jql section to add the clause to");
            }
            if (fanOut.values().isEmpty()) {
                throw fo.error("values", "must list at least one value");
            }
            fanOuts.add(fanOut);
        }
        Matcher slots = SLOT.matcher(path);
        while (slots.find()) {
            String slot = slots.group(1);
            if (fanOuts.stream().noneMatch(fo -> fo.var().equals(slot))) {
                throw f.error("path", "slot {" + slot + "} is not filled by any fan_out var");
            }
        }
        List<ColumnDef> columns = new ArrayList<>();
        Section cols = f.section("columns", true);
        for (String colName : cols.raw().keySet()) {
            String c = colName.toLowerCase(Locale.ROOT);
            if (!NAME.matcher(c).matches()) {
                throw cols.error(colName, "column names are lower case letters, digits and _");
            }
            columns.add(column(c, cols.section(colName, true), fanOuts, jql, mappings));
        }
        if (columns.isEmpty()) {
            throw f.error("columns", "at least one column is required");
        }
        for (FanOut fo : fanOuts) {
            if (!fo.column().isEmpty() && columns.stream().noneMatch(c -> c.name().equals(fo.column()))) {
                throw f.error("fan_out", "column '" + fo.column() + "' is not a column of " + name);
            }
        }
        if (!f.string("fields_param", "").isBlank()) {
            // Jira returns only the fields asked for in fields=: a column under fields. without one is always NULL.
            for (ColumnDef c : columns) {
                if (!c.isPerRow() && c.path().startsWith("fields.") && c.field().isEmpty() && !c.byFieldName()) {
                    throw cols.section(c.name(), true).error(null, "column " + c.name() + " reads '" + c.path()
                            + "' but names no field: give field (the id, e.g. customfield_10050) or field_name "
                            + "(the name shown in Jira, e.g. Branch)");
                }
            }
        }
        for (ColumnDef c : columns) {
            if (!c.isPerRow()) {
                continue;
            }
            for (String slot : c.perRow().slots()) {
                if (columns.stream().noneMatch(o -> o.name().equals(slot) && !o.isPerRow())) {
                    throw cols.section(c.name(), true).error("per_row", "slot {" + slot
                            + "} is not a list column of " + name);
                }
            }
        }
        return new TableDef(name, source, method, path, Map.copyOf(f.stringMap("params")), List.copyOf(fanOuts), jql,
                f.string("fields_param", ""), f.string("rows", ""), List.copyOf(columns),
                (int) f.number("max_rows", defaults.maxRowsPerTable(), 1, 50_000_000), f.string("description", ""),
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(f.rawSection("body"))));
    }

    private static ColumnDef column(String name, Section f, List<FanOut> fanOuts, Jql jql,
                                    Map<String, Map<String, String>> mappings) throws ConfigException {
        f.allowOnly(Set.of("type", "path", "mapping", "field", "field_name", "pushdown", "description", "per_row", "tags"));
        ColumnType type;
        try {
            type = ColumnType.valueOf(f.string("type", null).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw f.error("type", "unknown type (expected one of " + List.of(ColumnType.values()) + ")");
        }
        String mapping = f.string("mapping", "");
        if (!mapping.isEmpty() && !mappings.containsKey(mapping)) {
            throw f.error("mapping", "unknown mapping '" + mapping + "' (declared: " + mappings.keySet() + ")");
        }
        Map<Op, PushRule> pushdown = new EnumMap<>(Op.class);
        Section p = f.section("pushdown", false);
        for (String opText : p.raw().keySet()) {
            Op op = Op.parse(opText).orElseThrow(() -> p.error(opText, "unknown operator (expected one of "
                    + java.util.Arrays.stream(Op.values()).map(Op::sql).toList() + ")"));
            pushdown.put(op, pushRule(p.section(opText, true), op, fanOuts, jql, type));
        }
        PerRow perRow = null;
        if (f.has("per_row")) {
            Section r = f.section("per_row", true);
            r.allowOnly(Set.of("path", "value", "concurrency", "cache_ttl_ms"));
            perRow = new PerRow(r.string("path", null), r.string("value", null),
                    (int) r.number("concurrency", 8, 1, 64), r.number("cache_ttl_ms", 600_000, 0, 86_400_000));
            if (!perRow.path().startsWith("/")) {
                throw r.error("path", "must start with / (it is relative to the source's base_url)");
            }
            if (!pushdown.isEmpty() || !mapping.isEmpty() || f.has("path")) {
                throw f.error("per_row", "a per_row column takes its value from per_row.value: no path, mapping or pushdown");
            }
        }
        String fieldName = f.string("field_name", "");
        String path = f.string("path", perRow == null ? (fieldName.isEmpty() ? null : "fields." + ColumnDef.FIELD_SLOT) : "");
        if (!fieldName.isEmpty()) {
            if (f.has("field") || perRow != null) {
                throw f.error("field_name", "give field (an id) or field_name (a name resolved to the site's id), not both;"
                        + " not on a per_row column");
            }
            if (!path.contains(ColumnDef.FIELD_SLOT)) {
                throw f.error("path", "a field_name column's path reads the resolved id through {field}, e.g. fields.{field}.value");
            }
        } else if (path.contains(ColumnDef.FIELD_SLOT)
                || pushdown.values().stream().anyMatch(r -> r.target().contains(ColumnDef.FIELD_SLOT))) {
            throw f.error("path", "{field} is filled only for a column with field_name");
        }
        return new ColumnDef(name, type, path, mapping, f.string("field", ""),
                Map.copyOf(pushdown), perRow, f.string("description", ""), fieldName);
    }

    private static PushRule pushRule(Section r, Op op, List<FanOut> fanOuts, Jql jql, ColumnType type)
            throws ConfigException {
        r.allowOnly(Set.of("param", "jql", "fan_out", "format", "exact", "values", "pattern"));
        int kinds = (r.has("param") ? 1 : 0) + (r.has("jql") ? 1 : 0) + (r.has("fan_out") ? 1 : 0);
        if (kinds != 1) {
            throw r.error(null, "give exactly one of param, jql or fan_out");
        }
        List<String> values = r.strings("values");
        // Kept as text: the catalog is compared by value on reload, and Pattern has no value equality.
        String pattern = null;
        if (r.has("pattern")) {
            try {
                pattern = Pattern.compile(r.string("pattern", null)).pattern();
            } catch (java.util.regex.PatternSyntaxException e) {
                throw r.error("pattern", "not a regular expression: " + e.getDescription());
            }
        }
        if (r.has("fan_out")) {
            String var = r.string("fan_out", null);
            if (fanOuts.stream().noneMatch(fo -> fo.name().equals(var))) {
                throw r.error("fan_out", "no fan_out named '" + var + "'");
            }
            if (op != Op.EQ && op != Op.IN) {
                throw r.error(null, "a fan_out narrows only with = or IN");
            }
            return new PushRule(PushRule.Kind.FAN_OUT, var, "{value}", true, values, pattern);
        }
        if (r.has("jql")) {
            if (jql == null) {
                throw r.error("jql", "the table has no jql section to add clauses to");
            }
            // Jira compares text case-insensitively and dates by minute: a JQL clause narrows to a superset.
            return new PushRule(PushRule.Kind.JQL, r.string("jql", null), r.string("format", "{value}"),
                    r.bool("exact", false), values, pattern);
        }
        if (op != Op.EQ) {
            throw r.error(null, "a query parameter carries one value: only = can push to param");
        }
        if (type == ColumnType.TIMESTAMP) {
            throw r.error(null, "timestamps push only as JQL ranges");
        }
        String format = r.string("format", "{value}");
        if (!format.contains("{value}")) {
            throw r.error("format", "must contain {value}");
        }
        Matcher m = SLOT.matcher(format);
        while (m.find()) {
            if (!m.group(1).equals("value") && fanOuts.stream().noneMatch(fo -> fo.var().equals(m.group(1)))) {
                throw r.error("format", "slot {" + m.group(1) + "} is neither {value} nor a fan_out var");
            }
        }
        return new PushRule(PushRule.Kind.PARAM, r.string("param", null), format, r.bool("exact", true), values,
                pattern);
    }
}
