package io.omnisql.connector;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.ColumnType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Extracts typed rows from one page's JSON by the columns' dotted paths ({@code a.b}, {@code a[0].b}) in a
 * single streaming pass: subtrees no column reads are skipped by the tokenizer instead of being built
 * into a tree (an upstream item is mostly URLs and nested objects no query asks for).
 */
final class JsonRows {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final ColumnType[] types;
    private final Map<String, String>[] mappings;
    /** The columns' paths merged into one tree, so each item is walked once whatever the column count. */
    private final PathNode root = new PathNode();

    /** The rows of a page, and the body's top-level fields that pagination reads (token, isLast, total). */
    record Page(List<Object[]> rows, ObjectNode fields) {
    }

    private static final class PathNode {
        final Map<String, PathNode> fields = new HashMap<>();
        final Map<Integer, PathNode> indexes = new HashMap<>();
        int[] columns = new int[0];

        PathNode child(String segment) {
            if (segment.startsWith("[") && segment.endsWith("]")) {
                return indexes.computeIfAbsent(Integer.parseInt(segment.substring(1, segment.length() - 1)), i -> new PathNode());
            }
            return fields.computeIfAbsent(segment, s -> new PathNode());
        }

        boolean hasChildren() {
            return !fields.isEmpty() || !indexes.isEmpty();
        }
    }

    @SuppressWarnings("unchecked")
    JsonRows(List<ColumnDef> columns, Map<String, Map<String, String>> catalogMappings) {
        this.types = new ColumnType[columns.size()];
        this.mappings = new Map[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            ColumnDef c = columns.get(i);
            types[i] = c.type();
            mappings[i] = c.mapping().isEmpty() ? null : catalogMappings.getOrDefault(c.mapping(), Map.of());
            if (c.isPerRow()) {
                continue; // filled later, by its own calls
            }
            PathNode node = root;
            for (String segment : path(c.path())) {
                node = node.child(segment);
            }
            int[] grown = java.util.Arrays.copyOf(node.columns, node.columns.length + 1);
            grown[node.columns.length] = i;
            node.columns = grown;
        }
    }

    /**
     * Reads one page: the items of the array at {@code rowsPath} ("" for the body itself) as rows, and the
     * top-level fields named in {@code keep}. Returns null for an empty body; {@link Page#rows()} is null
     * when the page has no array at {@code rowsPath}.
     *
     * @throws IOException when the body is not well-formed JSON (anywhere, skipped parts included)
     */
    Page page(byte[] body, String rowsPath, Set<String> keep) throws IOException {
        try (JsonParser p = MAPPER.createParser(body)) {
            if (p.nextToken() == null) {
                return null;
            }
            ObjectNode fields = MAPPER.createObjectNode();
            List<Object[]> rows = find(p, path(rowsPath), 0, keep, fields);
            if (p.nextToken() != null) {
                throw new JsonParseException(p, "trailing content after the JSON value");
            }
            return new Page(rows, fields);
        }
    }

    /** A dotted path ({@code a.b}, {@code a[0].b}, {@code [0].b}) as its steps; "" is the node itself. */
    static String[] path(String dotted) {
        return java.util.Arrays.stream(dotted.replace("[", ".[").split("\\.")).filter(s -> !s.isEmpty())
                .toArray(String[]::new);
    }

    /** The node at {@code path} below {@code node}, or null (for values read from a parsed tree). */
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

    private List<Object[]> find(JsonParser p, String[] segments, int depth, Set<String> keep, ObjectNode fields)
            throws IOException {
        if (depth == segments.length) {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                p.skipChildren();
                return null;
            }
            List<Object[]> rows = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                Object[] row = new Object[types.length];
                value(p, root, row);
                rows.add(row);
            }
            return rows;
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        List<Object[]> rows = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            if (name.equals(segments[depth])) {
                rows = find(p, segments, depth + 1, keep, fields);
            } else if (depth == 0 && keep.contains(name)) {
                fields.set(name, p.readValueAsTree());
            } else {
                p.skipChildren();
            }
        }
        return rows;
    }

    /** Fills the columns under {@code node} from the value at the parser's current token, consuming it. */
    private void value(JsonParser p, PathNode node, Object[] row) throws IOException {
        JsonToken t = p.currentToken();
        if (node.columns.length > 0) {
            if (t.isStructStart()) {
                fill(p.readValueAsTree(), node, row);
            } else {
                for (int c : node.columns) {
                    row[c] = scalar(p, t, c);
                }
            }
            return;
        }
        if (t == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                PathNode child = node.fields.get(p.currentName());
                p.nextToken();
                if (child == null) {
                    p.skipChildren();
                } else {
                    value(p, child, row);
                }
            }
        } else if (t == JsonToken.START_ARRAY) {
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                PathNode child = node.indexes.get(i++);
                if (child == null) {
                    p.skipChildren();
                } else {
                    value(p, child, row);
                }
            }
        }
    }

    /** A column reads a whole object or array (rare): take the subtree and answer every path beneath it. */
    private void fill(JsonNode tree, PathNode node, Object[] row) {
        for (int c : node.columns) {
            row[c] = convert(tree, c);
        }
        if (node.hasChildren()) {
            node.fields.forEach((name, child) -> {
                JsonNode v = tree.get(name);
                if (v != null) {
                    fill(v, child, row);
                }
            });
            node.indexes.forEach((index, child) -> {
                JsonNode v = tree.get(index);
                if (v != null) {
                    fill(v, child, row);
                }
            });
        }
    }

    /** The common token/type pairs directly; everything else through the tree-value conversion. */
    private Object scalar(JsonParser p, JsonToken t, int c) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (mappings[c] != null) {
            return mappings[c].get(t == JsonToken.VALUE_STRING ? p.getText() : ((JsonNode) p.readValueAsTree()).asText());
        }
        ColumnType type = types[c];
        if (t == JsonToken.VALUE_STRING) {
            switch (type) {
                case VARCHAR:
                    return p.getText();
                case TIMESTAMP:
                    return Values.timestamp(p.getText());
                default:
                    break;
            }
        } else if (t == JsonToken.VALUE_NUMBER_INT) {
            JsonParser.NumberType n = p.getNumberType();
            if (type == ColumnType.BIGINT && n != JsonParser.NumberType.BIG_INTEGER) {
                return p.getLongValue();
            }
            if (type == ColumnType.INTEGER && n == JsonParser.NumberType.INT) {
                return p.getIntValue();
            }
        } else if (t.isBoolean() && type == ColumnType.BOOLEAN) {
            return t == JsonToken.VALUE_TRUE;
        }
        return convert(p.readValueAsTree(), c);
    }

    private Object convert(JsonNode v, int c) {
        if (mappings[c] != null) {
            return v == null || v.isNull() ? null : mappings[c].get(v.asText());
        }
        return Values.convert(v, types[c]);
    }
}
