package io.omnisql.policy;

import io.omnisql.config.Catalog;
import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.TableDef;
import io.omnisql.config.ConfigException;
import io.omnisql.config.Snapshot;
import io.omnisql.config.YamlTree;
import io.omnisql.identity.IdentitySettings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads and validates the {@code policies:} section of policies.yaml against the catalog of the same snapshot.
 * Every problem is reported with the file, line and key path of the offending entry.
 */
final class PolicyParser {
    private static final Set<String> ROOT_KEYS = Set.of("identity", "policies");
    private static final Set<String> SECTION_KEYS = Set.of("default_access", "tables");
    private static final Set<String> TABLE_KEYS = Set.of("description", "allow", "deny", "row_filters", "columns");
    private static final Set<String> ACCESS_KEYS = Set.of("name", "when", "unless", "reason");
    private static final Set<String> FILTER_KEYS = Set.of("name", "where", "when", "unless", "description");
    private static final Set<String> COLUMN_KEYS = Set.of("name", "mask", "deny", "when", "unless", "reason");
    private static final Set<String> MATCH_KEYS = Set.of("subjects", "teams", "roles", "scopes");

    private final YamlTree tree;
    private final Catalog catalog;
    private final Set<String> attributes;

    private PolicyParser(YamlTree tree, Catalog catalog, Set<String> attributes) {
        this.tree = tree;
        this.catalog = catalog;
        this.attributes = attributes;
    }

    static Policies parse(Snapshot snapshot) throws ConfigException {
        YamlTree tree = snapshot.policies();
        Map<String, Object> root = tree.root();
        for (String key : root.keySet()) {
            if (!ROOT_KEYS.contains(key)) {
                // A misspelt "policies:" must not silently switch every rule off.
                throw tree.error(key, "unknown key (expected one of " + new TreeSet<>(ROOT_KEYS) + ")");
            }
        }
        return new PolicyParser(tree, snapshot.catalog(), attributes(tree)).policies(snapshot.version(), root.get("policies"));
    }

    /** The attributes {@code principal.<name>} may read: subject, team and the identity section's configured claims. */
    @SuppressWarnings("unchecked")
    private static Set<String> attributes(YamlTree tree) throws ConfigException {
        Set<String> out = new LinkedHashSet<>(List.of("subject", "sub", "team"));
        Object identity = tree.root().get("identity");
        try {
            out.addAll(IdentitySettings.fromMap(identity instanceof Map ? (Map<String, Object>) identity : Map.of())
                    .claims().attributes().keySet());
        } catch (IllegalArgumentException e) {
            throw tree.sectionError("identity", e);
        }
        return out;
    }

    private Policies policies(long version, Object section) throws ConfigException {
        if (section == null) {
            return new Policies(version, true, Map.of());
        }
        Map<String, Object> s = mapping("policies", section);
        allowOnly("policies", s, SECTION_KEYS);
        String access = scalar("policies.default_access", s.getOrDefault("default_access", "allow")).toLowerCase(Locale.ROOT);
        if (!access.equals("allow") && !access.equals("deny")) {
            throw tree.error("policies.default_access", "must be allow or deny");
        }
        Map<String, TablePolicy> tables = new LinkedHashMap<>();
        Object t = s.get("tables");
        if (t != null) {
            for (Map.Entry<String, Object> e : mapping("policies.tables", t).entrySet()) {
                String path = "policies.tables." + e.getKey();
                String name = e.getKey().toLowerCase(Locale.ROOT);
                TableDef def = catalog.table(name).orElseThrow(() -> tree.error(path,
                        "unknown table (catalog tables: " + String.join(", ", catalog.tables().keySet()) + ")"));
                if (tables.containsKey(def.name())) {
                    throw tree.error(path, "table listed twice");
                }
                tables.put(def.name(), table(path, def, mapping(path, e.getValue())));
            }
        }
        return new Policies(version, access.equals("allow"), tables);
    }

    private TablePolicy table(String path, TableDef def, Map<String, Object> t) throws ConfigException {
        allowOnly(path, t, TABLE_KEYS);
        if (t.get("description") != null) {
            scalar(path + ".description", t.get("description"));
        }
        List<TablePolicy.AccessRule> allow = access(path + ".allow", t.get("allow"));
        List<TablePolicy.AccessRule> deny = access(path + ".deny", t.get("deny"));
        List<RowFilter> filters = new ArrayList<>();
        Set<String> filterNames = new HashSet<>();
        List<Object> items = list(path + ".row_filters", t.get("row_filters"));
        for (int i = 0; i < items.size(); i++) {
            String p = path + ".row_filters[" + i + "]";
            Map<String, Object> f = mapping(p, items.get(i));
            allowOnly(p, f, FILTER_KEYS);
            String name = required(p, f, "name");
            if (!filterNames.add(name)) {
                throw tree.error(p + ".name", "row filter '" + name + "' is listed twice for " + def.name());
            }
            if (f.get("description") != null) {
                scalar(p + ".description", f.get("description"));
            }
            String where = required(p, f, "where");
            try {
                filters.add(RowFilter.compile(name, name, audience(p, f), where, def, attributes));
            } catch (IllegalArgumentException e) {
                throw tree.error(p + ".where", e.getMessage());
            }
        }
        List<ColumnRule> columns = new ArrayList<>();
        Object c = t.get("columns");
        if (c != null) {
            for (Map.Entry<String, Object> e : mapping(path + ".columns", c).entrySet()) {
                String p = path + ".columns." + e.getKey();
                ColumnDef column = def.column(e.getKey()).orElseThrow(() -> tree.error(p, "unknown column of " + def.name()
                        + " (columns: " + String.join(", ", def.columns().stream().map(ColumnDef::name).toList()) + ")"));
                List<Object> rules = e.getValue() instanceof List<?> l ? new ArrayList<>(l) : List.of(e.getValue());
                for (int i = 0; i < rules.size(); i++) {
                    String rp = e.getValue() instanceof List ? p + "[" + i + "]" : p;
                    columns.add(columnRule(rp, column, mapping(rp, rules.get(i))));
                }
            }
        }
        return new TablePolicy(def.name(), allow, deny, filters, columns);
    }

    private List<TablePolicy.AccessRule> access(String path, Object value) throws ConfigException {
        List<TablePolicy.AccessRule> out = new ArrayList<>();
        List<Object> items = list(path, value);
        for (int i = 0; i < items.size(); i++) {
            String p = path + "[" + i + "]";
            Map<String, Object> r = mapping(p, items.get(i));
            allowOnly(p, r, ACCESS_KEYS);
            if (r.get("when") == null) {
                throw tree.error(p, "needs 'when' (who the rule is for)");
            }
            out.add(new TablePolicy.AccessRule(audience(p, r), ruleName(p, r), optional(p, r, "reason")));
        }
        return out;
    }

    private ColumnRule columnRule(String p, ColumnDef column, Map<String, Object> r) throws ConfigException {
        allowOnly(p, r, COLUMN_KEYS);
        Object deny = r.get("deny");
        // YAML reads a bare `mask: null` as no value: the key's presence is what counts.
        boolean masks = r.containsKey("mask");
        if ((deny == null) == !masks) {
            throw tree.error(p, "needs exactly one of 'mask' or 'deny: true'");
        }
        Mask m = null;
        if (deny != null) {
            if (!Boolean.TRUE.equals(deny)) {
                throw tree.error(p + ".deny", "must be true (omit the rule to allow the column)");
            }
        } else {
            String text = r.get("mask") == null ? "null" : scalar(p + ".mask", r.get("mask"));
            m = Mask.parse(text).orElseThrow(() -> tree.error(p + ".mask", "unknown mask '" + text + "' (expected one of "
                    + java.util.Arrays.stream(Mask.values()).map(Mask::label).toList() + ")"));
            if (!m.accepts(column.type())) {
                throw tree.error(p + ".mask", "mask " + m.label() + " needs a VARCHAR column; " + column.name() + " is "
                        + column.type());
            }
        }
        return new ColumnRule(column.name(), m, audience(p, r), ruleName(p, r), optional(p, r, "reason"));
    }

    private Audience audience(String p, Map<String, Object> r) throws ConfigException {
        return new Audience(matches(p + ".when", r.get("when")), matches(p + ".unless", r.get("unless")));
    }

    /** A {@code when}/{@code unless} value: one mapping or a list of them (any matches). */
    private List<Audience.Match> matches(String path, Object value) throws ConfigException {
        if (value == null) {
            return List.of();
        }
        List<Object> items = value instanceof List<?> l ? new ArrayList<>(l) : List.of(value);
        if (items.isEmpty()) {
            throw tree.error(path, "must not be empty");
        }
        List<Audience.Match> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String p = value instanceof List ? path + "[" + i + "]" : path;
            Map<String, Object> m = mapping(p, items.get(i));
            allowOnly(p, m, MATCH_KEYS);
            if (m.isEmpty()) {
                throw tree.error(p, "must name at least one of " + new TreeSet<>(MATCH_KEYS));
            }
            out.add(new Audience.Match(values(p, m, "subjects"), values(p, m, "teams"), values(p, m, "roles"),
                    values(p, m, "scopes")));
        }
        return out;
    }

    private Set<String> values(String p, Map<String, Object> m, String key) throws ConfigException {
        Object v = m.get(key);
        if (v == null) {
            return Set.of();
        }
        List<Object> items = v instanceof List<?> l ? new ArrayList<>(l) : List.of(v);
        if (items.isEmpty()) {
            throw tree.error(p + "." + key, "must not be empty");
        }
        Set<String> out = new LinkedHashSet<>();
        for (Object o : items) {
            out.add(scalar(p + "." + key, o));
        }
        return out;
    }

    private String ruleName(String p, Map<String, Object> r) throws ConfigException {
        String name = optional(p, r, "name");
        return name != null ? name : p.substring("policies.".length());
    }

    private String required(String p, Map<String, Object> m, String key) throws ConfigException {
        String v = optional(p, m, key);
        if (v == null || v.isBlank()) {
            throw tree.error(p + (m.containsKey(key) ? "." + key : ""), "'" + key + "' is required");
        }
        return v;
    }

    private String optional(String p, Map<String, Object> m, String key) throws ConfigException {
        Object v = m.get(key);
        return v == null ? null : scalar(p + "." + key, v);
    }

    private String scalar(String path, Object v) throws ConfigException {
        if (v == null || v instanceof Map || v instanceof List) {
            throw tree.error(path, "must be a single value");
        }
        return String.valueOf(v);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> mapping(String path, Object v) throws ConfigException {
        if (!(v instanceof Map)) {
            throw tree.error(path, "must be a mapping");
        }
        return (Map<String, Object>) v;
    }

    private List<Object> list(String path, Object v) throws ConfigException {
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            throw tree.error(path, "must be a list");
        }
        return new ArrayList<>(l);
    }

    private void allowOnly(String path, Map<String, Object> m, Set<String> keys) throws ConfigException {
        for (String k : m.keySet()) {
            if (!keys.contains(k)) {
                throw tree.error(path + "." + k, "unknown key (expected one of " + new TreeSet<>(keys) + ")");
            }
        }
    }
}
