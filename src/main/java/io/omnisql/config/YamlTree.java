package io.omnisql.config;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A YAML document as plain maps, lists and scalars, remembering the line of every key path
 * ({@code tables.jira.issues.columns.key.type}) so validation errors name the line of the edit.
 */
public final class YamlTree {
    private final String file;
    private final Object root;
    private final Map<String, Integer> lines;

    private YamlTree(String file, Object root, Map<String, Integer> lines) {
        this.file = file;
        this.root = root;
        this.lines = lines;
    }

    /** A tree over a map built in code: no lines are known, so errors name the origin and key path only. */
    static YamlTree detached(String origin, String path, Map<String, Object> map) {
        Map<String, Object> root = new LinkedHashMap<>();
        if (path.isEmpty()) {
            root.putAll(map);
        } else {
            root.put(path, map);
        }
        return new YamlTree(origin, root, Map.of());
    }

    /** Parses one file's text; {@code file} names it in every error. */
    public static YamlTree parse(String file, String text) throws ConfigException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20);
        Yaml yaml = new Yaml(new SafeConstructor(options));
        Node node;
        try {
            node = yaml.compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new ConfigException(file, line, "invalid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new ConfigException(file, 0, "invalid YAML: " + e.getMessage());
        }
        if (node == null) {
            // An emptied or truncated file is never "no settings": it would silently drop every rule.
            throw new ConfigException(file, 1, "the file is empty (no YAML content); the previous configuration "
                    + "keeps serving");
        }
        Map<String, Integer> lines = new HashMap<>();
        Object root = convert(file, node, "", lines, new SafeValues(options));
        if (!(root instanceof Map)) {
            throw new ConfigException(file, 1, "the document must be a mapping");
        }
        return new YamlTree(file, root, lines);
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> root() {
        return (Map<String, Object>) root;
    }

    public String file() {
        return file;
    }

    /** The line of a key path, or of its nearest ancestor that has one. */
    public int lineOf(String path) {
        String p = path;
        while (!p.isEmpty()) {
            Integer line = lines.get(p);
            if (line != null) {
                return line;
            }
            int dot = p.lastIndexOf('.');
            p = dot < 0 ? "" : p.substring(0, dot);
        }
        return lines.isEmpty() ? 0 : 1;
    }

    public ConfigException error(String path, String problem) {
        return new ConfigException(file, lineOf(path), (path.isEmpty() ? "" : path + ": ") + problem);
    }

    /**
     * Nodes to plain values. Duplicate keys are checked here: SnakeYAML's own check (LoaderOptions
     * allowDuplicateKeys) runs in its constructor, which composing nodes bypasses.
     */
    private static Object convert(String file, Node node, String path, Map<String, Integer> lines, SafeValues values)
            throws ConfigException {
        lines.putIfAbsent(path, node.getStartMark().getLine() + 1);
        if (node instanceof MappingNode map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (NodeTuple t : map.getValue()) {
                Object keyValue = values.scalar(t.getKeyNode());
                if (keyValue instanceof Map || keyValue instanceof List) {
                    throw new ConfigException(file, t.getKeyNode().getStartMark().getLine() + 1,
                            (path.isEmpty() ? "" : path + ": ") + "a key must be a single value");
                }
                String key = String.valueOf(keyValue);
                String childPath = path.isEmpty() ? key : path + "." + key;
                int line = t.getKeyNode().getStartMark().getLine() + 1;
                if (out.containsKey(key)) {
                    throw new ConfigException(file, line, "duplicate key '" + childPath + "' (first on line "
                            + lines.get(childPath) + "): the later value would silently replace the earlier one");
                }
                lines.put(childPath, line);
                out.put(key, convert(file, t.getValueNode(), childPath, lines, values));
            }
            return out;
        }
        if (node instanceof SequenceNode seq) {
            List<Object> out = new ArrayList<>();
            int i = 0;
            for (Node item : seq.getValue()) {
                out.add(convert(file, item, path + "[" + i++ + "]", lines, values));
            }
            return out;
        }
        return values.scalar(node);
    }

    /** Resolves scalars with YAML's standard tags (ints, floats, booleans, null) through snakeyaml itself. */
    private static final class SafeValues extends SafeConstructor {
        SafeValues(LoaderOptions options) {
            super(options);
        }

        Object scalar(Node node) {
            return constructObject(node);
        }
    }
}
