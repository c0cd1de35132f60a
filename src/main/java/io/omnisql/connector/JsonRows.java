package io.omnisql.connector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.ColumnType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Extracts typed rows from one page's JSON by the columns' dotted paths ({@code a.b}, {@code a[0].b}) in a
 * single pass over the bytes ({@link JsonScanner}): subtrees no column reads are skipped by a byte scan that
 * still checks the grammar, instead of being tokenized or built into a tree (an upstream item is mostly URLs
 * and nested objects no query asks for). Uncommon value shapes go through Jackson's tree conversion, so a
 * value is typed the same whichever path reads it.
 */
final class JsonRows {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final ColumnType[] types;
    private final Map<String, String>[] mappings;
    /** The columns' paths merged into one tree, so each item is walked once whatever the column count. */
    private final PathNode root = new PathNode();

    /**
     * The rows of a page, the body's top-level fields that pagination reads (token, isLast, total), and per
     * column how many rows had its path and how many values failed conversion.
     */
    record Page(List<Object[]> rows, ObjectNode fields, ColumnTally tally) {
    }

    private static final class PathNode {
        final Map<String, PathNode> fields = new LinkedHashMap<>();
        final Map<Integer, PathNode> indexes = new HashMap<>();
        int[] columns = new int[0];
        /** {@code fields}' names as UTF-8 and their nodes, index for index: matched against raw name bytes. */
        byte[][] names = new byte[0][];
        PathNode[] named = new PathNode[0];

        PathNode child(String segment) {
            if (segment.startsWith("[") && segment.endsWith("]")) {
                return indexes.computeIfAbsent(Integer.parseInt(segment.substring(1, segment.length() - 1)), i -> new PathNode());
            }
            PathNode child = fields.computeIfAbsent(segment, s -> new PathNode());
            names = fields.keySet().stream().map(n -> n.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
            named = fields.values().toArray(PathNode[]::new);
            return child;
        }

        boolean hasChildren() {
            return !fields.isEmpty() || !indexes.isEmpty();
        }

        /** Every column read at or below this node. */
        void columnsBelow(java.util.function.IntConsumer out) {
            for (int c : columns) {
                out.accept(c);
            }
            fields.values().forEach(child -> child.columnsBelow(out));
            indexes.values().forEach(child -> child.columnsBelow(out));
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
        JsonScanner in = new JsonScanner(body);
        if (in.peek() < 0) {
            return null;
        }
        ObjectNode fields = MAPPER.createObjectNode();
        ColumnTally tally = new ColumnTally(types.length);
        List<Object[]> rows = find(in, path(rowsPath), 0, keep, fields, tally);
        if (in.peek() >= 0) {
            throw in.error("trailing content after the JSON value");
        }
        if (rows != null) {
            tally.rows(rows.size());
        }
        return new Page(rows, fields, tally);
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

    private List<Object[]> find(JsonScanner in, String[] segments, int depth, Set<String> keep, ObjectNode fields,
                                ColumnTally tally) throws IOException {
        if (depth == segments.length) {
            if (in.peek() != '[') {
                in.skipValue();
                return null;
            }
            in.open();
            List<Object[]> rows = new ArrayList<>();
            for (boolean first = true; in.nextElement(first); first = false) {
                Object[] row = new Object[types.length];
                value(in, root, row, tally);
                rows.add(row);
            }
            return rows;
        }
        if (in.peek() != '{') {
            in.skipValue();
            return null;
        }
        in.open();
        List<Object[]> rows = null;
        for (boolean first = true; in.nextField(first); first = false) {
            String name = in.name();
            if (name.equals(segments[depth])) {
                rows = find(in, segments, depth + 1, keep, fields, tally);
            } else if (depth == 0 && keep.contains(name)) {
                fields.set(name, tree(in));
            } else {
                in.skipValue();
            }
        }
        return rows;
    }

    /** Fills the columns under {@code node} from the value at the cursor, consuming it. */
    private void value(JsonScanner in, PathNode node, Object[] row, ColumnTally tally) throws IOException {
        int kind = in.peek();
        if (node.columns.length > 0) {
            if (kind == '{' || kind == '[') {
                fill(tree(in), node, row, tally);
            } else {
                scalar(in, kind, node.columns, row, tally);
            }
            return;
        }
        if (kind == '{') {
            in.open();
            for (boolean first = true; in.nextField(first); first = false) {
                int i = in.name(node.names);
                if (i < 0) {
                    in.skipValue();
                } else {
                    value(in, node.named[i], row, tally);
                }
            }
        } else if (kind == '[') {
            in.open();
            int i = 0;
            for (boolean first = true; in.nextElement(first); first = false) {
                PathNode child = node.indexes.get(i++);
                if (child == null) {
                    in.skipValue();
                } else {
                    value(in, child, row, tally);
                }
            }
        } else if (kind == 'n') {
            // A null on the way (an unassigned issue's assignee): the path was answered, with null.
            in.literal("null");
            node.columnsBelow(c -> tally.seen(c, null, null));
        } else {
            in.skipValue();
        }
    }

    /** The value at the cursor as a Jackson tree (validated by the skip first), consuming it. */
    private static JsonNode tree(JsonScanner in) throws IOException {
        int start = in.position();
        in.skipValue();
        return MAPPER.readTree(in.bytes(), start, in.position() - start);
    }

    /** A column reads a whole object or array (rare): take the subtree and answer every path beneath it. */
    private void fill(JsonNode tree, PathNode node, Object[] row, ColumnTally tally) {
        for (int c : node.columns) {
            row[c] = convert(tree, c);
            tally.seen(c, tree.isNull() ? null : tree, row[c]);
        }
        if (node.hasChildren() && tree.isNull()) {
            node.fields.values().forEach(child -> child.columnsBelow(c -> tally.seen(c, null, null)));
            node.indexes.values().forEach(child -> child.columnsBelow(c -> tally.seen(c, null, null)));
        } else if (node.hasChildren()) {
            node.fields.forEach((name, child) -> {
                JsonNode v = tree.get(name);
                if (v != null) {
                    fill(v, child, row, tally);
                }
            });
            node.indexes.forEach((index, child) -> {
                JsonNode v = tree.get(index);
                if (v != null) {
                    fill(v, child, row, tally);
                }
            });
        }
    }

    /**
     * The scalar at the cursor into each of {@code columns}: the common value/type pairs directly (strings to
     * text, timestamps and mappings; integers to BIGINT and INTEGER; booleans), the rest by tree conversion.
     */
    private void scalar(JsonScanner in, int kind, int[] columns, Object[] row, ColumnTally tally) throws IOException {
        switch (kind) {
            case 'n' -> {
                in.literal("null"); // null in every column, mapped or not
                for (int c : columns) {
                    tally.seen(c, null, null);
                }
            }
            case '"' -> {
                String s = in.string();
                for (int c : columns) {
                    row[c] = fromString(s, c);
                    tally.seen(c, s, row[c]);
                }
            }
            case 't', 'f' -> {
                boolean v = kind == 't';
                in.literal(v ? "true" : "false");
                for (int c : columns) {
                    row[c] = mappings[c] == null && types[c] == ColumnType.BOOLEAN ? v : convert(BooleanNode.valueOf(v), c);
                    tally.seen(c, v, row[c]);
                }
            }
            default -> {
                int start = in.position();
                boolean integral = in.number();
                Long whole = integral ? in.smallInteger(start, in.position()) : null;
                JsonNode number = null;
                for (int c : columns) {
                    if (whole != null && mappings[c] == null && types[c] == ColumnType.BIGINT) {
                        row[c] = whole;
                    } else if (whole != null && mappings[c] == null && types[c] == ColumnType.INTEGER) {
                        row[c] = whole == whole.intValue() ? (Object) whole.intValue() : null;
                    } else {
                        if (number == null) {
                            number = MAPPER.readTree(in.bytes(), start, in.position() - start);
                        }
                        row[c] = convert(number, c);
                    }
                    tally.seen(c, whole != null ? whole : number, row[c]);
                }
            }
        }
    }

    private Object fromString(String s, int c) {
        if (mappings[c] != null) {
            return mappings[c].get(s);
        }
        return switch (types[c]) {
            case VARCHAR -> s;
            case TIMESTAMP -> Values.timestamp(s);
            default -> Values.convert(TextNode.valueOf(s), types[c]);
        };
    }

    private Object convert(JsonNode v, int c) {
        if (mappings[c] != null) {
            return v == null || v.isNull() ? null : mappings[c].get(v.asText());
        }
        return Values.convert(v, types[c]);
    }
}
