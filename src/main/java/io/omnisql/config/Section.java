package io.omnisql.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one way configuration is read: typed reads of one YAML mapping of a {@link YamlTree}, each failure a
 * {@link ConfigException} naming file, line and key path, with one wording for unknown keys. Catalog, policies,
 * rate limits, identity, observability and simulator settings and policy tests all read their sections with it.
 */
public final class Section {
    private final YamlTree tree;
    private final String path;
    private final Map<String, Object> map;

    /** The whole document. */
    public static Section root(YamlTree tree) {
        return new Section(tree, "", tree.root());
    }

    /**
     * A detached section for settings built in code (tests, defaults): errors name {@code origin} and no line.
     *
     * @param path the key path the map stands for, e.g. {@code identity}
     */
    public static Section of(String origin, String path, Map<String, Object> map) {
        return new Section(YamlTree.detached(origin, path, map), path, map);
    }

    Section(YamlTree tree, String path, Map<String, Object> map) {
        this.tree = tree;
        this.path = path;
        this.map = map == null ? Map.of() : map;
    }

    public String path() {
        return path;
    }

    public Map<String, Object> raw() {
        return map;
    }

    public String at(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public ConfigException error(String key, String problem) {
        return tree.error(key == null ? path : at(key), problem);
    }

    public void allowOnly(Set<String> keys) throws ConfigException {
        for (String k : map.keySet()) {
            if (!keys.contains(k)) {
                throw error(k, "unknown key (expected one of " + new java.util.TreeSet<>(keys) + ")");
            }
        }
    }

    /** A number with a fraction allowed (rates such as 0.5 per second). */
    public double decimal(String key, double fallback, double min, double max) throws ConfigException {
        Object v = map.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw error(key, "must be a number");
        }
        double d = n.doubleValue();
        if (d < min || d > max) {
            throw error(key, "must be between " + min + " and " + max);
        }
        return d;
    }

    /** One value or a list of values, as a list ({@code roles: admin} or {@code roles: [admin, qa]}). */
    public List<String> oneOrMany(String key) throws ConfigException {
        Object v = map.get(key);
        return v instanceof List || v == null ? strings(key) : List.of(string(key, null));
    }

    /** The line of a key of this section (of the section itself when {@code key} is null). */
    public int line(String key) {
        return tree.lineOf(key == null ? path : at(key));
    }

    public String file() {
        return tree.file();
    }

    public boolean has(String key) {
        return map.get(key) != null;
    }

    public String string(String key, String fallback) throws ConfigException {
        Object v = map.get(key);
        if (v == null) {
            if (fallback == null) {
                throw error(key, "is required");
            }
            return fallback;
        }
        if (v instanceof Map || v instanceof List) {
            throw error(key, "must be a string");
        }
        return String.valueOf(v);
    }

    public long number(String key, long fallback, long min, long max) throws ConfigException {
        Object v = map.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw error(key, "must be a whole number");
        }
        long l = n.longValue();
        if (l < min || l > max) {
            throw error(key, "must be between " + min + " and " + max);
        }
        return l;
    }

    public boolean bool(String key, boolean fallback) throws ConfigException {
        Object v = map.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw error(key, "must be true or false");
        }
        return b;
    }

    public Section section(String key, boolean required) throws ConfigException {
        Object v = map.get(key);
        if (v == null) {
            if (required) {
                throw error(key, "is required");
            }
            return new Section(tree, at(key), Map.of());
        }
        if (!(v instanceof Map)) {
            throw error(key, "must be a mapping");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return new Section(tree, at(key), m);
    }

    /** Entries of a mapping whose values are mappings, in file order. */
    public Map<String, Section> sections(String key) throws ConfigException {
        Section parent = section(key, false);
        Map<String, Section> out = new LinkedHashMap<>();
        for (String k : parent.map.keySet()) {
            out.put(k, parent.section(k, true));
        }
        return out;
    }

    public Map<String, String> stringMap(String key) throws ConfigException {
        Section s = section(key, false);
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : s.map.entrySet()) {
            out.put(e.getKey(), s.string(e.getKey(), null));
        }
        return out;
    }

    public List<String> strings(String key) throws ConfigException {
        Object v = map.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            throw error(key, "must be a list");
        }
        List<String> out = new ArrayList<>();
        for (Object o : l) {
            if (o == null || o instanceof Map || o instanceof List) {
                throw error(key, "must be a list of strings");
            }
            out.add(String.valueOf(o));
        }
        return List.copyOf(out);
    }

    public List<Section> list(String key) throws ConfigException {
        Object v = map.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            throw error(key, "must be a list");
        }
        List<Section> out = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            if (!(l.get(i) instanceof Map<?, ?> m)) {
                throw error(key, "item " + i + " must be a mapping");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> mm = (Map<String, Object>) m;
            out.add(new Section(tree, at(key) + "[" + i + "]", mm));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> rawSection(String key) throws ConfigException {
        Object v = map.get(key);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map)) {
            throw error(key, "must be a mapping");
        }
        return (Map<String, Object>) v;
    }
}
