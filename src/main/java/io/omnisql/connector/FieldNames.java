package io.omnisql.connector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.PushRule;
import io.omnisql.config.Catalog.SourceDef;
import io.omnisql.config.Catalog.TableDef;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.sql.Op;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Jira fields by name: a column declared with {@code field_name: Branch} gets the site's id for that name
 * (custom field ids differ between sites) from the site's field list ({@code GET /rest/api/{2|3}/field}), read
 * once per source and kept until the next configuration reload. The id fills {@code {field}} in the column's
 * path and becomes the {@code fields=} entry; JQL targets get {@code cf[N]} for a custom field, the id otherwise.
 * An unknown or ambiguous name (real sites have two "Story Points") is a clear error naming the candidates,
 * never a guess. A name missing from a list older than a minute re-reads the list once (a field just created).
 */
final class FieldNames {
    private static final long STALE_FOR_UNKNOWN_MS = 60_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One site's fields: display name -> ids (names repeat), and when it was read. */
    private record Listing(Map<String, List<String>> byName, long readAtMs) {
    }

    private final Upstream upstream;
    private final Map<String, Listing> listings = new ConcurrentHashMap<>();

    FieldNames(Upstream upstream) {
        this.upstream = upstream;
    }

    /** Forgets every field list: the next query reads them again (configuration reload). */
    void forget() {
        listings.clear();
    }

    /**
     * The table with the field_name columns a query reads ({@code used}) resolved to this site's ids; the table
     * itself when there are none (a column the query does not read is left as declared: it is not fetched).
     */
    TableDef resolve(TableDef table, SourceDef source, URI base, java.util.Set<String> used, long deadlineNanos) {
        if (table.columns().stream().noneMatch(c -> c.byFieldName() && used.contains(c.name()))) {
            return table;
        }
        String listPath = table.path().startsWith("/rest/api/2/") ? "/rest/api/2/field" : "/rest/api/3/field";
        URI uri = URI.create(base.toString().replaceAll("/+$", "") + listPath);
        String key = source.name() + " " + uri;
        List<ColumnDef> columns = new ArrayList<>();
        for (ColumnDef c : table.columns()) {
            if (!c.byFieldName() || !used.contains(c.name())) {
                columns.add(c);
                continue;
            }
            Listing listing = listing(key, source, table, uri, deadlineNanos, false);
            List<String> ids = ids(listing, c.fieldName());
            if (ids.isEmpty() && System.currentTimeMillis() - listing.readAtMs() > STALE_FOR_UNKNOWN_MS) {
                ids = ids(listing(key, source, table, uri, deadlineNanos, true), c.fieldName());
            }
            if (ids.size() != 1) {
                throw unresolved(table, source, c, uri, ids, listing);
            }
            columns.add(resolved(c, ids.get(0)));
        }
        return new TableDef(table.name(), table.source(), table.method(), table.path(), table.params(), table.fanOut(),
                table.jql(), table.fieldsParam(), table.rowsPath(), List.copyOf(columns), table.maxRows(),
                table.description(), table.body());
    }

    private Listing listing(String key, SourceDef source, TableDef table, URI uri, long deadlineNanos, boolean reread) {
        if (reread) {
            listings.remove(key);
        }
        return listings.computeIfAbsent(key, k -> read(source, table, uri, deadlineNanos));
    }

    private Listing read(SourceDef source, TableDef table, URI uri, long deadlineNanos) {
        Upstream.Page page = upstream.get(source, table.name(), uri, deadlineNanos, false);
        upstream.listener().page(source.name(), table.name(), uri, page.status(), 0, page.nanos());
        JsonNode list;
        try {
            list = JSON.readTree(page.body());
        } catch (IOException e) {
            list = null;
        }
        if (list == null || !list.isArray()) {
            throw new QueryException(ErrorCode.SOURCE_ERROR, "source " + source.name() + " sent no field list at "
                    + uri.getPath() + " (a JSON array of fields expected)", Map.of("source", source.name()));
        }
        Map<String, List<String>> byName = new LinkedHashMap<>();
        for (JsonNode f : list) {
            if (f.path("name").isTextual() && f.path("id").isTextual()) {
                byName.computeIfAbsent(f.get("name").asText(), n -> new ArrayList<>()).add(f.get("id").asText());
            }
        }
        return new Listing(Map.copyOf(byName), System.currentTimeMillis());
    }

    /** The ids of fields named exactly {@code name}; failing that, named so ignoring case (Jira's own matching). */
    private static List<String> ids(Listing listing, String name) {
        List<String> exact = listing.byName().get(name);
        if (exact != null) {
            return exact;
        }
        List<String> out = new ArrayList<>();
        listing.byName().forEach((n, ids) -> {
            if (n.equalsIgnoreCase(name)) {
                out.addAll(ids);
            }
        });
        return out;
    }

    private static ColumnDef resolved(ColumnDef c, String id) {
        String jqlRef = id.matches("customfield_\\d+") ? "cf[" + id.substring("customfield_".length()) + "]" : id;
        Map<Op, PushRule> pushdown = new EnumMap<>(Op.class);
        c.pushdown().forEach((op, r) -> pushdown.put(op, new PushRule(r.kind(), r.target().replace(ColumnDef.FIELD_SLOT,
                jqlRef), r.format(), r.exact(), r.values(), r.pattern())));
        return new ColumnDef(c.name(), c.type(), c.path().replace(ColumnDef.FIELD_SLOT, id), c.mapping(), id,
                Map.copyOf(pushdown), c.perRow(), c.description(), c.fieldName());
    }

    private static QueryException unresolved(TableDef table, SourceDef source, ColumnDef c, URI uri, List<String> ids,
                                             Listing listing) {
        String column = table.name() + "." + c.name();
        String why;
        if (ids.isEmpty()) {
            List<String> near = listing.byName().keySet().stream()
                    .filter(n -> n.toLowerCase(Locale.ROOT).contains(c.fieldName().toLowerCase(Locale.ROOT))
                            || c.fieldName().toLowerCase(Locale.ROOT).contains(n.toLowerCase(Locale.ROOT)))
                    .sorted().limit(10).toList();
            why = "no field named '" + c.fieldName() + "' in " + uri.getPath() + " (" + listing.byName().size()
                    + " names" + (near.isEmpty() ? "" : "; similar: " + near) + ")";
        } else {
            why = "field name '" + c.fieldName() + "' is ambiguous: fields " + ids + " carry it; declare the one meant"
                    + " by id (field: ID, path: fields.ID...)";
        }
        return new QueryException(ErrorCode.SOURCE_ERROR, "catalog column " + column + " cannot be read from source "
                + source.name() + ": " + why, Map.of("source", source.name(), "column", column,
                "field_name", c.fieldName()));
    }
}
