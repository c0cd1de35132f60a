package io.omnisql.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.config.Catalog;
import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.ColumnType;
import io.omnisql.config.Catalog.TableDef;
import io.omnisql.config.ConfigStore;
import io.omnisql.config.Snapshot;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.exec.Engine;
import io.omnisql.exec.QueryResult;
import io.omnisql.exec.TableWriter;
import io.omnisql.identity.Principal;
import io.omnisql.plan.Planner;
import io.omnisql.plan.QueryPlan;
import io.omnisql.plan.TableRef;
import io.omnisql.policy.Governance;
import io.omnisql.policy.TableRead;
import io.omnisql.policy.YamlPolicyDecider;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated statements (1-50 table references, aliases, CTEs and subqueries that shadow each other) run the way
 * the gateway runs them: planned, governed by the shipped policies.yaml, bound to per-query views over tables
 * in the engine, next to decoy tables holding raw data. Properties: the executed statement scans only this
 * query's source tables (DuckDB's own EXPLAIN says so), and its answer equals the same SQL run in a separate
 * DuckDB holding only the rows and values the policy lets the principal see (computed here in Java from the
 * rules, not by the policy code); and no answer ever holds a clear masked value or another team's row.
 * Tries: {@code -Djqwik.tries.default=N} (src/test/resources/junit-platform.properties holds the CI default).
 */
class GovernedStatementProperties {
    private static final String[] TEAMS = {"mobile", "web", "platform"};
    private static final int ROWS = 24;
    private static Snapshot snapshot;
    private static YamlPolicyDecider decider;
    private static Engine engine;
    private static final Planner PLANNER = new Planner();
    private static final GovernedViews VIEWS = new GovernedViews();
    /** Catalog table -> its rows (by column name), the raw data the sources hold. */
    private static final Map<String, List<Map<String, String>>> DATA = new LinkedHashMap<>();
    /** Catalog table -> the engine table a query's reference is bound to. */
    private static final Map<String, String> SOURCES = new HashMap<>();
    private static final Map<String, Connection> EXPECTED = new HashMap<>();
    /** Tries whose EXPLAIN was checked, and those where it showed scans (proof the check reads EXPLAIN at all). */
    private static final AtomicInteger EXPLAINED = new AtomicInteger();
    private static final AtomicInteger SCANNING = new AtomicInteger();

    /** The generated tables and the VARCHAR columns statements read (team_id: the row-filter column). */
    private record Shape(String table, String bare, List<String> columns) {
    }

    private static final List<Shape> SHAPES = List.of(
            new Shape("github.pull_requests", "pull_requests", List.of("team_id", "author_email", "title", "state")),
            new Shape("jira.issues", null, List.of("team_id", "assignee_email", "key", "status")),
            new Shape("github.issues", null, List.of("title", "state", "author")));

    @BeforeContainer
    static void load() throws Exception {
        try (ConfigStore store = ConfigStore.open(Path.of("."))) {
            snapshot = store.current();
        }
        decider = new YamlPolicyDecider();
        decider.prepare(snapshot).run();
        engine = new Engine(new Engine.Settings(1, "256MB", Engine.Lanes.DEFAULT));
        Random random = new Random(42);
        for (Shape shape : SHAPES) {
            TableDef def = snapshot.catalog().table(shape.table()).orElseThrow();
            List<Map<String, String>> rows = new ArrayList<>();
            for (int i = 0; i < ROWS; i++) {
                Map<String, String> row = new HashMap<>();
                int team = random.nextInt(TEAMS.length + 1);
                for (String c : shape.columns()) {
                    row.put(c, switch (c) {
                        case "team_id" -> team == TEAMS.length ? null : TEAMS[team];
                        // Unique clear local parts: any of them in an answer is a leaked clear value.
                        case "author_email", "assignee_email" -> i % 7 == 6 ? null : "clear" + shape.bare() + i + "x@acme.example";
                        case "key" -> "K-" + i;
                        default -> c + "-" + (i % 5);
                    });
                }
                rows.add(row);
            }
            DATA.put(shape.table(), rows);
            SOURCES.put(shape.table(), load(def, rows));
            // Decoys: raw copies no reference is bound to; a statement reading one reads ungoverned data.
            load(def, rows);
        }
    }

    private static String load(TableDef def, List<Map<String, String>> rows) {
        TableWriter writer = engine.create(def.columns());
        List<Object[]> page = new ArrayList<>();
        for (Map<String, String> row : rows) {
            Object[] values = new Object[def.columns().size()];
            for (int c = 0; c < values.length; c++) {
                values[c] = def.columns().get(c).type() == ColumnType.VARCHAR ? row.get(def.columns().get(c).name()) : null;
            }
            page.add(values);
        }
        writer.append(page);
        return writer.finish().name();
    }

    @AfterContainer
    static void close() throws SQLException {
        if (EXPLAINED.get() >= 10 && SCANNING.get() == 0) {
            throw new AssertionError("EXPLAIN showed no table scan in " + EXPLAINED.get() + " tries: the scan check reads nothing");
        }
        for (Connection c : EXPECTED.values()) {
            c.close();
        }
        engine.close();
    }

    @Provide
    Arbitrary<Principal> principals() {
        return Arbitraries.of(
                new Principal("alice", "mobile", Set.of("analyst"), Set.of(), Map.of()),
                new Principal("wes", "web", Set.of("analyst"), Set.of(), Map.of()),
                new Principal("pia", "platform", Set.of("analyst"), Set.of("PII_ACCESS"), Map.of()),
                new Principal("root", "platform", Set.of("admin"), Set.of(), Map.of()),
                new Principal("quinn", "mobile", Set.of("qa"), Set.of(), Map.of()),
                new Principal("carl", "web", Set.of("contractor"), Set.of(), Map.of()),
                new Principal("nobody", null, Set.of("analyst"), Set.of(), Map.of()));
    }

    @Property
    void executedStatementReadsOnlyGovernedViewsAndAnswersLikeThePolicyFilteredData(
            @ForAll @IntRange(min = 1, max = 50) int references, @ForAll long seed, @ForAll("principals") Principal principal)
            throws SQLException {
        String sql = new StatementGenerator(new Random(seed)).statement(references);
        Outcome actual = run(sql, principal, true);
        Outcome expected = expected(sql, principal);
        if (actual.error() != null) {
            assertThat(actual.error()).as(sql).isEqualTo(ErrorCode.ENTITLEMENT_DENIED);
            assertThat(expected.error()).as("gateway refused, plain DuckDB answered: " + sql).isNotNull();
            return;
        }
        assertThat(expected.error()).as(sql).isNull();
        assertThat(actual.plan().refs()).as(sql).hasSizeGreaterThanOrEqualTo(1);
        EXPLAINED.incrementAndGet();
        if (!actual.scanned().isEmpty()) {
            SCANNING.incrementAndGet();
        }
        assertThat(actual.scanned()).as("tables DuckDB scans for " + sql)
                .isSubsetOf(actual.plan().refs().stream().map(r -> SOURCES.get(r.table().name())).collect(Collectors.toSet()));
        assertThat(actual.rows()).as(sql).containsExactlyInAnyOrderElementsOf(expected.rows());
    }

    @Property
    void noAnswerHoldsAClearMaskedValueOrAnotherTeamsRow(
            @ForAll @IntRange(min = 1, max = 50) int references, @ForAll long seed, @ForAll("principals") Principal principal) {
        String sql = new StatementGenerator(new Random(seed)).statement(references);
        Outcome actual = run(sql, principal, false);
        if (actual.error() != null) {
            assertThat(actual.error()).as(sql).isEqualTo(ErrorCode.ENTITLEMENT_DENIED);
            assertThat(principal.roles()).as(sql).contains("contractor");
            return;
        }
        boolean admin = principal.hasRole("admin");
        for (List<String> row : actual.rows()) {
            for (String cell : row) {
                if (cell == null) {
                    continue;
                }
                if (!principal.hasScope("PII_ACCESS")) {
                    assertThat(cell).as(sql).doesNotContain("clear");
                }
                if (!admin) {
                    for (String team : TEAMS) {
                        if (!team.equals(principal.team())) {
                            assertThat(cell).as(principal + ": " + sql).doesNotContain(team);
                        }
                    }
                }
            }
        }
    }

    private record Outcome(QueryPlan plan, List<List<String>> rows, Set<String> scanned, ErrorCode error) {
    }

    private static final Pattern SCANNED = Pattern.compile("\"Table\"\\s*:\\s*\"([^\"]+)\"");

    /** The gateway's path without HTTP: plan, govern, bind views, run; plus DuckDB's EXPLAIN of the same. */
    private static Outcome run(String sql, Principal principal, boolean explain) {
        try {
            return execute(sql, principal, explain);
        } catch (QueryException e) {
            throw new AssertionError(e.code() + " " + e.getMessage() + " for " + principal + ":\n" + sql, e);
        }
    }

    private static Outcome execute(String sql, Principal principal, boolean explain) {
        QueryPlan plan = PLANNER.plan(sql, snapshot.catalog());
        List<Governance> governance = new ArrayList<>();
        try {
            for (TableRef ref : plan.refs()) {
                governance.add(decider.govern(principal, new TableRead(ref.table(), ref.columns(), ref.mentioned()), snapshot));
            }
        } catch (QueryException e) {
            return new Outcome(plan, List.of(), Set.of(), e.code());
        }
        assertThat(plan.template()).as(sql).doesNotContain(Engine.TABLE_PREFIX);
        Map<String, String> views = VIEWS.bind(plan, governance,
                plan.refs().stream().map(r -> r.table().columns().stream().map(ColumnDef::name).collect(Collectors.toSet())).toList(),
                plan.refs().stream().map(r -> SOURCES.get(r.table().name())).toList());
        long deadline = System.nanoTime() + 60_000_000_000L;
        QueryResult result = engine.query(plan.template(), views, deadline, 1_000_000, Long.MAX_VALUE);
        Set<String> scanned = new HashSet<>();
        List<Object[]> plans = explain
                ? engine.query("EXPLAIN (FORMAT JSON) " + plan.template(), views, deadline, 1_000, Long.MAX_VALUE).rows() : List.of();
        for (Object[] row : plans) {
            Matcher m = SCANNED.matcher(String.valueOf(row[row.length - 1]));
            while (m.find()) {
                scanned.add(m.group(1).replaceFirst("^.*\\.", ""));
            }
        }
        List<List<String>> rows = new ArrayList<>();
        for (Object[] row : result.rows()) {
            List<String> cells = new ArrayList<>();
            for (Object v : row) {
                cells.add(v == null ? null : v.toString());
            }
            rows.add(cells);
        }
        return new Outcome(plan, rows, scanned, null);
    }

    /** The same SQL over a DuckDB holding only what the shipped policies let {@code p} see. */
    private static Outcome expected(String sql, Principal p) throws SQLException {
        Connection c = EXPECTED.computeIfAbsent(p.subject(), k -> expectedDatabase(p));
        List<List<String>> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> cells = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    cells.add(rs.getString(i));
                }
                rows.add(cells);
            }
        } catch (SQLException e) {
            return new Outcome(null, List.of(), Set.of(), ErrorCode.BAD_REQUEST);
        }
        return new Outcome(null, rows, Set.of(), null);
    }

    /**
     * policies.yaml as shipped, restated: own_team row filters on pull requests and Jira issues unless admin,
     * pii_email masks (partial) unless PII_ACCESS, no Jira for contractors; github.issues is open.
     */
    private static Connection expectedDatabase(Principal p) {
        try {
            Connection c = DriverManager.getConnection("jdbc:duckdb:");
            try (Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA github");
                s.execute("CREATE SCHEMA jira");
                s.execute("SET search_path = 'main,github'");
            }
            for (Shape shape : SHAPES) {
                boolean jira = shape.table().startsWith("jira.");
                if (jira && p.hasRole("contractor")) {
                    continue;
                }
                boolean teamFiltered = !shape.table().equals("github.issues") && !p.hasRole("admin");
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE " + shape.table() + " (" + shape.columns().stream().map(col -> col + " VARCHAR")
                            .collect(Collectors.joining(", ")) + ")");
                }
                String insert = "INSERT INTO " + shape.table() + " VALUES (" + "?, ".repeat(shape.columns().size() - 1) + "?)";
                try (PreparedStatement ps = c.prepareStatement(insert)) {
                    for (Map<String, String> row : DATA.get(shape.table())) {
                        if (teamFiltered && (p.team() == null || !p.team().equals(row.get("team_id")))) {
                            continue;
                        }
                        for (int i = 0; i < shape.columns().size(); i++) {
                            String col = shape.columns().get(i);
                            String v = row.get(col);
                            if (col.endsWith("_email") && v != null && !p.hasScope("PII_ACCESS")) {
                                String[] parts = v.split("@", -1);
                                v = "***@" + (parts.length > 1 ? parts[1] : "");
                            }
                            ps.setString(i + 1, v);
                        }
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            return c;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Statements of UNION ALL branches, each reading one or two table references (or a CTE), with aliases,
     * top-level CTEs and nested WITHs reusing the names of tables, aliases and each other.
     */
    static final class StatementGenerator {
        private static final String[] NAMES = {"pull_requests", "issues", "x", "y", "t", "a"};
        private static final String[] WRAPPERS = {"%s", "lower(%s)", "coalesce(%s, 'none')", "split_part(%s, '@', 1)",
                "substr(%s, 1, 12)", "CAST(%s AS VARCHAR)", "concat('<', %s, '>')", "regexp_extract(%s, '^[^@]*')"};
        private final Random random;
        private final Map<String, Integer> ctes = new LinkedHashMap<>();
        private final List<String> cteSql = new ArrayList<>();
        private final List<String> branches = new ArrayList<>();
        /** Bare table names used: a top-level CTE of that name (defined later, in scope everywhere) would capture them. */
        private final Set<String> bare = new HashSet<>();
        private int k;

        StatementGenerator(Random random) {
            this.random = random;
        }

        String statement(int references) {
            int left = references;
            while (left > 0) {
                int choice = random.nextInt(7);
                if (choice == 0 && ctes.size() + bare.size() < NAMES.length) {
                    String name = freshCte();
                    Shape shape = shape();
                    cteSql.add(name + " AS (SELECT " + shape.columns().get(0) + " AS c1, " + pick(shape.columns())
                            + " AS c2 FROM " + tableName(shape) + " " + alias() + ")");
                    ctes.put(name, cteSql.size());
                    left--;
                    for (int i = 0, n = 1 + random.nextInt(2); i < n; i++) {
                        branches.add(branch("c2", name + (random.nextBoolean() ? "" : " " + alias()), "c1"));
                    }
                } else if (choice == 1 && !ctes.isEmpty() && ctes.size() + bare.size() < NAMES.length) {
                    // A CTE over an earlier CTE: no table reference of its own.
                    String over = pick(new ArrayList<>(ctes.keySet()));
                    String name = freshCte();
                    cteSql.add(name + " AS (SELECT c2 AS c1, c1 AS c2 FROM " + over + ")");
                    ctes.put(name, cteSql.size());
                    branches.add(branch("c1", name, "c2"));
                } else if (choice == 2) {
                    Shape shape = shape();
                    String inner = alias();
                    String outer = alias();
                    String where = shape.columns().contains("team_id") && random.nextBoolean()
                            ? " WHERE " + inner + ".team_id IS NOT NULL" : "";
                    branches.add(branch(outer + ".c2", "(SELECT " + inner + "." + shape.columns().get(0) + " AS c1, "
                            + inner + "." + pick(shape.columns()) + " AS c2 FROM " + tableName(shape) + " " + inner + where
                            + ") " + outer, outer + ".c1"));
                    left--;
                } else if (choice == 3) {
                    // A nested WITH whose name shadows a top-level CTE or a table inside the subquery only.
                    Shape shape = shape();
                    String name = NAMES[random.nextInt(NAMES.length)];
                    String outer = alias();
                    branches.add(branch(outer + ".c2", "(WITH " + name + " AS (SELECT " + shape.columns().get(0) + " AS c1, "
                            + pick(shape.columns()) + " AS c2 FROM " + tableName(shape) + ") SELECT c1, c2 FROM " + name + ") "
                            + outer, outer + ".c1"));
                    left--;
                } else if (choice == 4 && left >= 2) {
                    Shape a = random.nextBoolean() ? SHAPES.get(0) : SHAPES.get(1);
                    Shape b = random.nextBoolean() ? SHAPES.get(0) : SHAPES.get(1);
                    String aa = "l" + k;
                    String bb = "r" + k;
                    branches.add(branch(aa + "." + pick(a.columns()), tableName(a) + " " + aa + " JOIN " + tableName(b) + " " + bb
                            + " ON " + aa + ".team_id = " + bb + ".team_id", bb + "." + pick(b.columns())));
                    left -= 2;
                } else if (choice == 5) {
                    Shape shape = shape();
                    String al = alias();
                    k++;
                    String attack = shape.columns().contains("team_id") && random.nextBoolean()
                            ? " WHERE " + al + ".team_id <> 'mobile'" : "";
                    branches.add("SELECT '" + k + "' AS k, CAST(count(*) AS VARCHAR) AS v, CAST(count(DISTINCT " + al + "."
                            + pick(shape.columns()) + ") AS VARCHAR) AS w FROM " + tableName(shape) + " " + al + attack);
                    left--;
                } else {
                    Shape shape = shape();
                    String al = alias();
                    branches.add(branch(al + "." + pick(shape.columns()), tableName(shape) + " " + al, al + "." + pick(shape.columns())));
                    left--;
                }
            }
            if (branches.isEmpty()) {
                branches.add("SELECT 'none' AS k, NULL AS v, NULL AS w");
            }
            String with = cteSql.isEmpty() ? "" : "WITH " + String.join(", ", cteSql) + " ";
            return with + String.join(" UNION ALL ", branches);
        }

        private String branch(String v, String from, String w) {
            k++;
            return "SELECT '" + k + "' AS k, " + wrap(v) + " AS v, " + wrap(w) + " AS w FROM " + from;
        }

        private String wrap(String column) {
            return String.format(Locale.ROOT, WRAPPERS[random.nextInt(WRAPPERS.length)], "CAST(" + column + " AS VARCHAR)");
        }

        private String freshCte() {
            for (String name : NAMES) {
                if (!ctes.containsKey(name) && !bare.contains(name)) {
                    return name;
                }
            }
            throw new IllegalStateException("no CTE name left");
        }

        private Shape shape() {
            return SHAPES.get(random.nextInt(SHAPES.size()));
        }

        /** Qualified, or bare where the bare name is unambiguous and no top-level CTE shadows it. */
        private String tableName(Shape shape) {
            if (shape.bare() != null && !ctes.containsKey(shape.bare()) && random.nextBoolean()) {
                bare.add(shape.bare());
                return shape.bare();
            }
            return shape.table();
        }

        /** Aliases reuse table and CTE names on purpose. */
        private String alias() {
            return NAMES[random.nextInt(NAMES.length)] + (random.nextInt(3) == 0 ? "" : String.valueOf(k));
        }

        private <T> T pick(List<T> items) {
            return items.get(random.nextInt(items.size()));
        }
    }
}
