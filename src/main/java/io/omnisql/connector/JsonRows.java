package io.omnisql.connector;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.config.Catalog.ColumnDef;
import java.util.List;
import java.util.Map;

/** Extracts typed rows from one page's JSON by the columns' dotted paths ({@code a.b}, {@code a[0].b}). */
final class JsonRows {
    private final List<ColumnDef> columns;
    private final String[][] paths;
    private final Map<String, String>[] mappings;

    @SuppressWarnings("unchecked")
    JsonRows(List<ColumnDef> columns, Map<String, Map<String, String>> catalogMappings) {
        this.columns = columns;
        this.paths = new String[columns.size()][];
        this.mappings = new Map[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            ColumnDef c = columns.get(i);
            paths[i] = path(c.path());
            mappings[i] = c.mapping().isEmpty() ? null : catalogMappings.getOrDefault(c.mapping(), Map.of());
        }
    }

    /** The row array at {@code rowsPath} ("" for the body itself), or null when the page has none. */
    static JsonNode rowsAt(JsonNode body, String rowsPath) {
        return at(body, path(rowsPath));
    }

    /** A dotted path ({@code a.b}, {@code a[0].b}, {@code [0].b}) as its steps; "" is the node itself. */
    static String[] path(String dotted) {
        return java.util.Arrays.stream(dotted.replace("[", ".[").split("\\.")).filter(s -> !s.isEmpty())
                .toArray(String[]::new);
    }

    Object[] row(JsonNode item) {
        Object[] row = new Object[columns.size()];
        for (int i = 0; i < row.length; i++) {
            if (columns.get(i).isPerRow()) {
                continue; // filled later, by its own calls
            }
            JsonNode v = at(item, paths[i]);
            if (mappings[i] != null) {
                String mapped = v == null || v.isNull() ? null : mappings[i].get(v.asText());
                row[i] = mapped;
            } else {
                row[i] = Values.convert(v, columns.get(i).type());
            }
        }
        return row;
    }

    static JsonNode at(JsonNode node, String[] path) {
        JsonNode n = node;
        for (String part : path) {
            if (n == null) {
                return null;
            }
            if (part.startsWith("[") && part.endsWith("]")) {
                n = n.get(Integer.parseInt(part.substring(1, part.length() - 1)));
            } else {
                n = n.get(part);
            }
        }
        return n;
    }
}
