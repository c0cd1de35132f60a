package io.omnisql.policy;

import io.omnisql.config.Catalog;
import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.TableDef;
import io.omnisql.config.ConfigException;
import io.omnisql.config.Section;
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
    private static final Set<String> SECTION_KEYS = Set.of("default_access", "sensitive_tags", "tables", "tags");
    private static final Set<String> TAG_KEYS = Set.of("description", "allow", "deny", "row_filters", "column");
    private static final Set<String> TABLE_KEYS = Set.of("description", "allow", "deny", "row_filters", "columns");
    private static final Set<String> ACCESS_KEYS = Set.of("name", "when", "unless", "reason");
    private static final Set<String> FILTER_KEYS = Set.of("name", "where", "when", "unless", "description");
    private static final Set<String> COLUMN_KEYS = Set.of("name", "mask", "deny", "when", "unless", "reason");
    /** {@code when: everyone}: every authenticated principal. */
    private static final String EVERYONE = "everyone";
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
    private static Set<String> attributes(YamlTree tree) throws ConfigException {
        Set<String> out = new LinkedHashSet<>(List.of("subject", "sub", "team"));
        out.addAll(IdentitySettings.from(Section.root(tree).section("identity", false)).claims().attributes().keySet());
        return out;
    }

    private Policies policies(long version, Object section) throws ConfigException {
        if (section == null) {
            // An emptied or truncated file must not read as "no rules": that would open every table.
            throw tree.error("", "no 'policies:' section: refusing to run without entitlements (write "
                    + "'policies: {default_access: deny}' to refuse every table)");
        }
        Map<String, Object> s = mapping("policies", section);
        allowOnly("policies", s, SECTION_KEYS);
        String access = scalar("policies.default_access", s.getOrDefault("default_access", "deny")).toLowerCase(Locale.ROOT);
        if (!access.equals("allow") && !access.equals("deny")) {
            throw tree.error("policies.default_access", "must be allow or deny");
        }
        List<String> sensitive = new ArrayList<>();
        for (Object o : list("policies.sensitive_tags", s.getOrDefault("sensitive_tags", List.of("pii")))) {
            sensitive.add(scalar("policies.sensitive_tags", o));
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
        Object tagSection = s.get("tags");
        if (tagSection != null) {
            for (Map.Entry<String, Object> e : mapping("policies.tags", tagSection).entrySet()) {
                String path = "policies.tags." + e.getKey();
                tag(path, e.getKey(), mapping(path, e.getValue()), tables);
            }
        }
        requireRulesOnSensitiveColumns(sensitive, tables);
        return new Policies(version, access.equals("allow"), tables);
    }

    /**
     * Merges the rules of one tag into the policy of every table that carries it: access rules and row filters go
     * to tables tagged on the table or on a column, column rules to every column with the tag. A row filter is
     * compiled against each such table, so a table whose columns do not fit it is an error at load.
     */
    private void tag(String path, String tag, Map<String, Object> t, Map<String, TablePolicy> tables) throws ConfigException {
        allowOnly(path, t, TAG_KEYS);
        Catalog.Tags tags = catalog.tags();
        if (!tags.all().contains(tag)) {
            throw tree.error(path, "no table or column of catalog.yaml carries tag '" + tag + "' (tags in use: "
                    + (tags.all().isEmpty() ? "none" : String.join(", ", tags.all())) + ")");
        }
        if (t.get("description") != null) {
            scalar(path + ".description", t.get("description"));
        }
        List<TablePolicy.AccessRule> allow = access(path + ".allow", t.get("allow"));
        List<TablePolicy.AccessRule> deny = access(path + ".deny", t.get("deny"));
        List<Object> filterItems = list(path + ".row_filters", t.get("row_filters"));
        Object columnRules = t.get("column");
        List<Object> rules = columnRules == null ? List.of()
                : columnRules instanceof List<?> l ? new ArrayList<>(l) : List.of(columnRules);
        boolean anyColumn = false;
        for (TableDef def : catalog.tables().values()) {
            if (!tags.tableCarries(def.name(), tag)) {
                continue;
            }
            TablePolicy base = tables.getOrDefault(def.name(), TablePolicy.open(def.name()));
            List<RowFilter> filters = new ArrayList<>(base.rowFilters());
            Set<String> names = new HashSet<>(filters.stream().map(RowFilter::name).toList());
            for (int i = 0; i < filterItems.size(); i++) {
                filters.add(rowFilter(path + ".row_filters[" + i + "]", def, filterItems.get(i), names));
            }
            List<ColumnRule> columns = new ArrayList<>(base.columns());
            for (ColumnDef column : def.columns()) {
                if (!tags.ofColumn(def.name(), column.name()).contains(tag)) {
                    continue;
                }
                anyColumn = true;
                for (int i = 0; i < rules.size(); i++) {
                    String rp = columnRules instanceof List ? path + ".column[" + i + "]" : path + ".column";
                    columns.add(columnRule(rp, column, mapping(rp, rules.get(i))));
                }
            }
            List<TablePolicy.AccessRule> allows = new ArrayList<>(base.allow());
            allows.addAll(allow);
            List<TablePolicy.AccessRule> denies = new ArrayList<>(base.deny());
            denies.addAll(deny);
            tables.put(def.name(), new TablePolicy(def.name(), allows, denies, filters, columns));
        }
        if (!rules.isEmpty() && !anyColumn) {
            throw tree.error(path + ".column", "tag '" + tag + "' is on tables only: no column carries it");
        }
    }

    /** A column with a sensitive tag ({@code pii}, {@code pii.email}, ...) must be masked or denied by some rule. */
    private void requireRulesOnSensitiveColumns(List<String> sensitive, Map<String, TablePolicy> tables)
            throws ConfigException {
        for (TableDef def : catalog.tables().values()) {
            TablePolicy policy = tables.getOrDefault(def.name(), TablePolicy.open(def.name()));
            for (ColumnDef column : def.columns()) {
                for (String tag : catalog.tags().ofColumn(def.name(), column.name())) {
                    boolean isSensitive = sensitive.stream().anyMatch(p -> tag.equals(p) || tag.startsWith(p + "."));
                    if (isSensitive && policy.columns().stream().noneMatch(r -> r.column().equals(column.name()))) {
                        throw tree.error("policies", def.name() + "." + column.name() + " is tagged " + tag
                                + " (sensitive_tags: " + String.join(", ", sensitive) + ") but no rule masks or denies it: "
                                + "add a 'column:' rule to policies.tags." + tag + " or a rule to policies.tables."
                                + def.name() + ".columns." + column.name());
                    }
                }
            }
        }
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
            filters.add(rowFilter(path + ".row_filters[" + i + "]", def, items.get(i), filterNames));
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

    private RowFilter rowFilter(String p, TableDef def, Object item, Set<String> filterNames) throws ConfigException {
        Map<String, Object> f = mapping(p, item);
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
            return RowFilter.compile(name, name, audience(p, f), where, def, attributes);
        } catch (IllegalArgumentException e) {
            throw tree.error(p + ".where", (p.contains(".tags.") ? "on " + def.name() + ": " : "") + e.getMessage());
        }
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
        if (EVERYONE.equals(value)) {
            // Spelt out rather than implied by an absent 'when', so an allow rule never opens a table by omission.
            return List.of(Audience.Match.ANYONE);
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
