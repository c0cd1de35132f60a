package io.omnisql.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Typed reads of one YAML mapping, each failure naming the key path and line. */
final class Fields {
    private final YamlTree tree;
    private final String path;
    private final Map<String, Object> map;

    Fields(YamlTree tree, String path, Map<String, Object> map) {
        this.tree = tree;
        this.path = path;
        this.map = map == null ? Map.of() : map;
    }

    String path() {
        return path;
    }

    Map<String, Object> raw() {
        return map;
    }

    String at(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    ConfigException error(String key, String problem) {
        return tree.error(key == null ? path : at(key), problem);
    }

    void allowOnly(Set<String> keys) throws ConfigException {
        for (String k : map.keySet()) {
            if (!keys.contains(k)) {
                throw error(k, "unknown key (expected one of " + new java.util.TreeSet<>(keys) + ")");
            }
        }
    }

    boolean has(String key) {
        return map.get(key) != null;
    }

    String string(String key, String fallback) throws ConfigException {
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

    long number(String key, long fallback, long min, long max) throws ConfigException {
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

    boolean bool(String key, boolean fallback) throws ConfigException {
        Object v = map.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw error(key, "must be true or false");
        }
        return b;
    }

    Fields section(String key, boolean required) throws ConfigException {
        Object v = map.get(key);
        if (v == null) {
            if (required) {
                throw error(key, "is required");
            }
            return new Fields(tree, at(key), Map.of());
        }
        if (!(v instanceof Map)) {
            throw error(key, "must be a mapping");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return new Fields(tree, at(key), m);
    }

    /** Entries of a mapping whose values are mappings, in file order. */
    Map<String, Fields> sections(String key) throws ConfigException {
        Fields parent = section(key, false);
        Map<String, Fields> out = new LinkedHashMap<>();
        for (String k : parent.map.keySet()) {
            out.put(k, parent.section(k, true));
        }
        return out;
    }

    Map<String, String> stringMap(String key) throws ConfigException {
        Fields s = section(key, false);
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : s.map.entrySet()) {
            out.put(e.getKey(), s.string(e.getKey(), null));
        }
        return out;
    }

    List<String> strings(String key) throws ConfigException {
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

    List<Fields> list(String key) throws ConfigException {
        Object v = map.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            throw error(key, "must be a list");
        }
        List<Fields> out = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            if (!(l.get(i) instanceof Map<?, ?> m)) {
                throw error(key, "item " + i + " must be a mapping");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> mm = (Map<String, Object>) m;
            out.add(new Fields(tree, at(key) + "[" + i + "]", mm));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> rawSection(String key) throws ConfigException {
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
