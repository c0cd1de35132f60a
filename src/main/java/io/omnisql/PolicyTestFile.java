package io.omnisql;

import io.omnisql.config.ConfigException;
import io.omnisql.config.Section;
import io.omnisql.config.YamlTree;
import io.omnisql.identity.Principal;
import io.omnisql.PolicyTestCase.Expect;
import io.omnisql.PolicyTestCase.Rows;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads policies.test.yaml ({@code tests:}, a list of cases) with the config section reader: errors name file and line. */
final class PolicyTestFile {
    private static final Set<String> CONFIG_FILES = Set.of("catalog.yaml", "policies.yaml", "ratelimits.yaml");

    private PolicyTestFile() {
    }

    static List<PolicyTestCase> parse(String file, String text) throws ConfigException {
        Section root = Section.root(YamlTree.parse(file, text));
        root.allowOnly(Set.of("tests"));
        List<Section> items = root.list("tests");
        if (items.isEmpty()) {
            throw root.error("tests", "must list at least one case");
        }
        List<PolicyTestCase> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Section t : items) {
            t.allowOnly(Set.of("name", "principal", "sql", "replace_files", "append_files", "expect"));
            String name = t.string("name", null);
            if (!names.add(name)) {
                throw t.error("name", "case '" + name + "' is listed twice");
            }
            Map<String, String> replace = files(t, "replace_files");
            Map<String, String> append = files(t, "append_files");
            String sql = t.has("sql") ? t.string("sql", null) : null;
            Expect expect = expect(t.section("expect", true));
            if (sql == null && expect.configRejected() == null) {
                throw t.error(null, "needs 'sql' (or expect.config_rejected for a configuration that must not load)");
            }
            if (expect.configRejected() != null && replace.isEmpty() && append.isEmpty()) {
                throw t.error("expect", "config_rejected needs replace_files or append_files (the shipped files must load)");
            }
            out.add(new PolicyTestCase(name, t.line(null), sql == null ? null : principal(t.section("principal", true)),
                    sql, replace, append, expect));
        }
        return List.copyOf(out);
    }

    private static Map<String, String> files(Section t, String key) throws ConfigException {
        Map<String, String> files = new LinkedHashMap<>();
        Section s = t.section(key, false);
        for (String f : s.raw().keySet()) {
            if (!CONFIG_FILES.contains(f)) {
                throw s.error(f, "not a configuration file (expected one of " + new java.util.TreeSet<>(CONFIG_FILES) + ")");
            }
            files.put(f, s.raw().get(f) == null ? "" : s.string(f, null));
        }
        return files;
    }

    private static Principal principal(Section p) throws ConfigException {
        p.allowOnly(Set.of("sub", "team", "roles", "scopes", "attributes"));
        return new Principal(p.string("sub", null), p.has("team") ? p.string("team", null) : null,
                new LinkedHashSet<>(p.oneOrMany("roles")), new LinkedHashSet<>(p.oneOrMany("scopes")),
                p.stringMap("attributes"));
    }

    private static Expect expect(Section e) throws ConfigException {
        e.allowOnly(Set.of("denied", "error", "config_rejected", "rows", "min_rows", "max_rows", "masked", "clear",
                "absent", "values"));
        Rows rows = null;
        if (e.has("rows")) {
            Section r = e.section("rows", true);
            r.allowOnly(Set.of("column", "only", "includes"));
            rows = new Rows(r.string("column", null), new LinkedHashSet<>(r.oneOrMany("only")),
                    new LinkedHashSet<>(r.oneOrMany("includes")));
            if (rows.only().isEmpty() && rows.includes().isEmpty()) {
                throw r.error(null, "needs 'only' or 'includes'");
            }
        }
        Map<String, Pattern> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> v : e.stringMap("values").entrySet()) {
            try {
                values.put(v.getKey(), Pattern.compile(v.getValue()));
            } catch (PatternSyntaxException x) {
                throw e.section("values", true).error(v.getKey(), "not a regular expression: " + x.getDescription());
            }
        }
        Expect expect = new Expect(e.has("denied") ? e.string("denied", null) : null,
                e.has("error") ? e.string("error", null) : null,
                e.has("config_rejected") ? e.string("config_rejected", null) : null, rows,
                e.has("min_rows") ? (int) e.number("min_rows", 0, 0, Integer.MAX_VALUE) : null,
                e.has("max_rows") ? (int) e.number("max_rows", 0, 0, Integer.MAX_VALUE) : null,
                e.oneOrMany("masked"), e.oneOrMany("clear"), e.oneOrMany("absent"), Map.copyOf(values));
        long outcomes = java.util.stream.Stream.of(expect.denied(), expect.error(), expect.configRejected())
                .filter(java.util.Objects::nonNull).count();
        if (outcomes > 1) {
            throw e.error(null, "give at most one of denied, error, config_rejected");
        }
        if (outcomes == 1 && (rows != null || expect.minRows() != null || expect.maxRows() != null
                || !expect.masked().isEmpty() || !expect.clear().isEmpty() || !expect.absent().isEmpty() || !values.isEmpty())) {
            throw e.error(null, "an expected refusal has no rows to check: drop rows/min_rows/max_rows/masked/clear/absent/values");
        }
        if (outcomes == 0 && rows == null && expect.minRows() == null && expect.maxRows() == null && expect.masked().isEmpty()
                && expect.clear().isEmpty() && expect.absent().isEmpty() && values.isEmpty()) {
            throw e.error(null, "expects nothing: give denied, error, config_rejected or something about the rows");
        }
        return expect;
    }
}
