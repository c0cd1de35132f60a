package io.omnisql.connector;

import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.FanOut;
import io.omnisql.config.Catalog.PushRule;
import io.omnisql.config.Catalog.SourceDef;
import io.omnisql.config.Catalog.TableDef;
import io.omnisql.sql.Op;
import io.omnisql.sql.Predicate;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides, from the catalog's pushdown rules, which candidate predicates a source applies, and builds the
 * first-page URI of every request stream. Values reach URLs only through URL encoding and JQL only through
 * {@link Jql#quote}.
 */
public final class RequestBuilder {
    private RequestBuilder() {
    }

    public static SourceRequest build(TableDef table, SourceDef source, URI baseUrl, Set<String> columnNames,
                                      List<Predicate> candidates) {
        // A per-row column's URL reads other columns of the row: fetch those too.
        Set<String> wanted = new java.util.HashSet<>(columnNames);
        table.columns().stream().filter(c -> c.isPerRow() && columnNames.contains(c.name()))
                .forEach(c -> wanted.addAll(c.perRow().slots()));
        List<ColumnDef> columns = table.columns().stream().filter(c -> wanted.contains(c.name())).toList();
        List<Pushdown.Decision> decisions = new ArrayList<>();
        Map<String, String> params = new LinkedHashMap<>(table.params());
        Set<String> pushedParams = new java.util.HashSet<>();
        List<String> jqlClauses = new ArrayList<>();
        Map<String, Set<String>> fanOutValues = new LinkedHashMap<>();
        for (FanOut fo : table.fanOut()) {
            fanOutValues.put(fo.name(), new LinkedHashSet<>(fo.values()));
        }
        for (Predicate p : candidates) {
            ColumnDef column = table.column(p.column()).orElseThrow();
            PushRule rule = column.pushdown().get(p.op());
            if (rule == null || !rule.accepts(p.values())) {
                decisions.add(new Pushdown.Decision(p, Pushdown.Kind.NOT_PUSHED, null));
                continue;
            }
            boolean applied = switch (rule.kind()) {
                case FAN_OUT -> {
                    fanOutValues.get(rule.target()).retainAll(Set.copyOf(p.values()));
                    yield true;
                }
                case JQL -> {
                    String clause = table.jql() == null ? null : JqlClauses.clause(rule.target(), p.op(), p.values(), column.type(),
                            table.jql().timeZone());
                    if (clause != null) {
                        jqlClauses.add(clause);
                    }
                    yield clause != null;
                }
                case PARAM -> {
                    // One value per parameter: a second predicate on the same parameter stays residual.
                    if (p.op() != Op.EQ || !pushedParams.add(rule.target())) {
                        yield false;
                    }
                    params.put(rule.target(), rule.format());
                    yield true;
                }
            };
            decisions.add(!applied ? new Pushdown.Decision(p, Pushdown.Kind.NOT_PUSHED, null)
                    : new Pushdown.Decision(p, rule.exact() ? Pushdown.Kind.EXACT : Pushdown.Kind.APPROXIMATE, rule));
        }
        if (table.jql() != null) {
            params.put(table.jql().param(), ""); // its place among the parameters; each stream writes its JQL
        }
        if (!table.fieldsParam().isBlank()) {
            Set<String> fields = new LinkedHashSet<>();
            columns.forEach(c -> {
                if (!c.field().isBlank()) {
                    fields.add(c.field());
                }
            });
            if (fields.isEmpty() && columns.stream().anyMatch(c -> c.field().isBlank() && !c.path().equals("id"))) {
                // Jira Cloud answers fields=id with bare {"id"} objects: a column read from the rest of the
                // envelope (key, self) needs one real field asked for, the table's first.
                table.columns().stream().map(ColumnDef::field).filter(f -> !f.isBlank()).findFirst().ifPresent(fields::add);
            }
            params.put(table.fieldsParam(), fields.isEmpty() ? "id" : String.join(",", fields));
        }
        if (source.pagination().style() != io.omnisql.config.Catalog.PaginationStyle.NONE) {
            params.put(source.pagination().pageSizeParam(), String.valueOf(source.pagination().pageSize()));
        }
        Pushdown pushdown = new Pushdown(decisions);
        List<URI> streams = new ArrayList<>();
        expand(new Shape(table, baseUrl, params, pushedValues(pushdown), List.copyOf(jqlClauses)),
                new ArrayList<>(table.fanOut()), fanOutValues, new LinkedHashMap<>(), streams);
        String key = table.name() + "|" + columns.stream().map(ColumnDef::name).toList() + "|" + streams;
        if (columns.stream().anyMatch(ColumnDef::isPerRow)) {
            // Rows failing a residual candidate are dropped before per-row calls, so those filters shape the rows.
            key += "|" + pushdown.notPushed().stream().map(Predicate::sql).sorted().toList();
        }
        return new SourceRequest(table, source, columns, pushdown, List.copyOf(streams), key);
    }

    /** The literal of each pushed param predicate, by parameter, for {@code {value}} in its format. */
    private static Map<String, String> pushedValues(Pushdown pushdown) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Pushdown.Decision d : pushdown.decisions()) {
            if (d.pushed() && d.rule().kind() == PushRule.Kind.PARAM) {
                out.put(d.rule().target(), d.predicate().values().get(0));
            }
        }
        return out;
    }

    /** What every stream of a request shares: the table, base URL, query parameters and pushed JQL clauses. */
    private record Shape(TableDef table, URI base, Map<String, String> params, Map<String, String> paramValues,
                         List<String> jqlClauses) {
    }

    private static void expand(Shape shape, List<FanOut> remaining, Map<String, Set<String>> fanOutValues,
                               Map<String, String> bound, List<URI> out) {
        if (remaining.isEmpty()) {
            out.add(uri(shape, bound));
            return;
        }
        FanOut fo = remaining.get(0);
        List<FanOut> rest = remaining.subList(1, remaining.size());
        for (String value : fanOutValues.get(fo.name())) {
            bound.put(fo.name(), value);
            expand(shape, rest, fanOutValues, bound, out);
            bound.remove(fo.name());
        }
    }

    private static URI uri(Shape shape, Map<String, String> bound) {
        TableDef table = shape.table();
        String path = table.path();
        Map<String, String> query = new LinkedHashMap<>(shape.params());
        List<String> jqlClauses = new ArrayList<>(shape.jqlClauses());
        for (FanOut fo : table.fanOut()) {
            String value = bound.get(fo.name());
            if (!fo.var().isEmpty()) {
                // Path slots keep '/' (owner/repo); everything else in a segment is percent-encoded.
                path = path.replace("{" + fo.var() + "}", encode(value).replace("%2F", "/"));
            } else if (!fo.param().isEmpty()) {
                query.put(fo.param(), value);
            } else {
                jqlClauses.add(fo.jql() + " = " + JqlClauses.quote(value));
            }
        }
        if (table.jql() != null) {
            query.put(table.jql().param(), jql(table.jql(), jqlClauses));
        }
        StringBuilder q = new StringBuilder();
        for (Map.Entry<String, String> e : query.entrySet()) {
            String value = e.getValue();
            if (shape.paramValues().containsKey(e.getKey())) {
                value = fill(value, shape.paramValues().get(e.getKey()), bound);
            }
            q.append(q.isEmpty() ? "?" : "&").append(encode(e.getKey())).append('=').append(encode(value));
        }
        String prefix = shape.base().toString().replaceAll("/+$", "");
        return URI.create(prefix + path + q);
    }

    /** The base clause (parenthesised when more follow), the clauses ANDed to it, then ORDER BY. */
    private static String jql(io.omnisql.config.Catalog.Jql jql, List<String> clauses) {
        List<String> parts = new ArrayList<>();
        if (!jql.base().isBlank()) {
            parts.add(clauses.isEmpty() ? jql.base() : "(" + jql.base() + ")");
        }
        parts.addAll(clauses);
        String query = String.join(" AND ", parts);
        return jql.orderBy().isBlank() ? query : query + " " + jql.orderBy();
    }

    private static String fill(String format, String value, Map<String, String> bound) {
        String out = format;
        for (Map.Entry<String, String> b : bound.entrySet()) {
            String owner = b.getValue().contains("/") ? b.getValue().substring(0, b.getValue().indexOf('/')) : b.getValue();
            out = out.replace("{" + b.getKey() + ".owner}", owner).replace("{" + b.getKey() + "}", b.getValue());
        }
        return out.replace("{value}", value);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
