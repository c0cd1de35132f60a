package io.omnisql.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.config.Catalog.Op;
import io.omnisql.config.ConfigException;
import io.omnisql.config.ConfigStore;
import io.omnisql.config.Snapshot;
import io.omnisql.identity.Principal;
import io.omnisql.plan.Predicate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** policies.yaml validation (file:line errors) and row-filter compilation, on the shipped catalog. */
class PolicyValidationTest {
    /** Four lines; sensitive_tags is emptied so tests of table rules need no rule for the catalog's pii.* columns. */
    private static final String HEAD = "identity: {audience: omnisql, demo_issuer: {enabled: true}}\npolicies:\n"
            + "  sensitive_tags: []\n  tables:\n";
    @TempDir
    Path dir;

    private Snapshot snapshot(String policies) throws Exception {
        Files.writeString(dir.resolve("catalog.yaml"), Files.readString(Path.of("catalog.yaml")));
        Files.writeString(dir.resolve("ratelimits.yaml"), Files.readString(Path.of("ratelimits.yaml")));
        Files.writeString(dir.resolve("policies.yaml"), policies);
        try (ConfigStore store = ConfigStore.open(dir)) {
            return store.current();
        }
    }

    /** The error a reload of {@code tables} (lines 5 onwards of the file) would be rejected with. */
    private ConfigException rejected(String tables) throws Exception {
        Snapshot s = snapshot(HEAD + tables);
        try {
            new YamlPolicyDecider().prepare(s);
        } catch (ConfigException e) {
            assertThat(e.file()).isEqualTo("policies.yaml");
            return e;
        }
        throw new AssertionError("accepted:\n" + tables);
    }

    @Test
    void shippedPoliciesCompile() throws Exception {
        Snapshot s = snapshot(Files.readString(Path.of("policies.yaml")));
        Policies p = PolicyParser.parse(s);
        assertThat(p.tables()).containsOnlyKeys("github.pull_requests", "github.issues", "jira.issues", "jira_dc.issues");
        assertThat(p.defaultAllow()).isFalse();
        // Both Jira tables get the same rules through their tags.
        for (String jira : List.of("jira.issues", "jira_dc.issues")) {
            TablePolicy t = p.table(jira);
            assertThat(t.deny()).extracting(TablePolicy.AccessRule::rule).containsExactly("contractors_no_jira");
            assertThat(t.rowFilters()).extracting(RowFilter::name).containsExactly("own_team");
            assertThat(t.columns()).extracting(ColumnRule::column, ColumnRule::rule)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("assignee_email", "pii_email"));
        }
        assertThat(p.table("github.pull_requests").columns()).extracting(ColumnRule::rule)
                .containsExactlyInAnyOrder("pii_email", "qa_no_diff");
    }

    @Test
    void unknownTableAndColumnAreRejectedWithTheirLine() throws Exception {
        ConfigException table = rejected("    github.pulls:\n      row_filters: []\n");
        assertThat(table.line()).isEqualTo(5);
        assertThat(table.getMessage()).contains("github.pulls").contains("unknown table");
        ConfigException column = rejected("    jira.issues:\n      columns:\n        reporter_email: {mask: hash}\n");
        assertThat(column.line()).isEqualTo(7);
        assertThat(column.getMessage()).contains("reporter_email").contains("assignee_email");
    }

    @Test
    void badMasksAndColumnRulesAreRejected() throws Exception {
        assertThat(rejected("    jira.issues:\n      columns:\n        summary: {mask: scramble}\n").getMessage())
                .contains("unknown mask 'scramble'").contains("partial");
        assertThat(rejected("    jira.issues:\n      columns:\n        created_at: {mask: partial}\n").getMessage())
                .contains("VARCHAR");
        assertThat(rejected("    jira.issues:\n      columns:\n        summary: {mask: hash, deny: true}\n").getMessage())
                .contains("exactly one of");
        assertThat(rejected("    jira.issues:\n      columns:\n        summary: {deny: false}\n").getMessage())
                .contains("must be true");
        ConfigException empty = rejected("    jira.issues:\n      columns:\n        summary:\n          deny: true\n          when: {}\n");
        assertThat(empty.line()).isEqualTo(9);
        assertThat(empty.getMessage()).contains("at least one of");
        assertThat(rejected("    jira.issues:\n      columns:\n        summary: {mask: hash, when: {role: qa}}\n").getMessage())
                .contains("unknown key").contains("roles");
    }

    @Test
    void rowFiltersMayOnlyUseTheVettedGrammar() throws Exception {
        String head = "    jira.issues:\n      row_filters:\n        - name: f\n          where: ";
        ConfigException subquery = rejected(head + "\"team_id IN (SELECT team_id FROM jira.issues)\"\n");
        assertThat(subquery.line()).isEqualTo(8);
        assertThat(subquery.getMessage()).contains("row_filters[0].where").contains("not allowed");
        assertThat(rejected(head + "lower(team_id) = principal.team\n").getMessage()).contains("lower(team_id)").contains("not allowed");
        assertThat(rejected(head + "teamid = principal.team\n").getMessage()).contains("unknown column 'teamid'");
        assertThat(rejected(head + "team_id = principal.department\n").getMessage()).contains("principal.department")
                .contains("principal.team");
        assertThat(rejected(head + "i.team_id = principal.team\n").getMessage()).contains("only principal.<attribute>");
        assertThat(rejected(head + "team_id = = 'x'\n").getMessage()).contains("not a SQL condition");
        assertThat(rejected(head + "\"team_id = 'x'; DROP TABLE t\"\n").getMessage()).contains("not a SQL condition");
        assertThat(rejected(head + "team_id = principal.team\n          unless: {roles: admin}\n        - name: f\n"
                + "          where: project = 'MOB'\n").getMessage()).contains("listed twice");
        assertThat(rejected("    jira.issues:\n      row_filters:\n        - name: f\n          were: project = 'MOB'\n")
                .getMessage()).contains("unknown key").contains("where");
    }

    @Test
    void configuredClaimAttributesMayBeUsedInFilters() throws Exception {
        String yaml = "identity:\n  audience: omnisql\n  demo_issuer: {enabled: true}\n  claims:\n    attributes: {department: dept}\n"
                + "policies:\n  sensitive_tags: []\n  tables:\n"
                + "    jira.issues:\n      row_filters:\n        - {name: dept, where: project = principal.department}\n";
        Policies p = PolicyParser.parse(snapshot(yaml));
        RowFilter f = p.table("jira.issues").rowFilters().get(0);
        Principal withDept = new Principal("a", "mobile", Set.of(), Set.of(), Map.of("department", "MOB"));
        assertThat(f.render(withDept).sql()).isEqualTo("\"project\" = 'MOB'");
        assertThat(f.render(new Principal("a", "mobile", Set.of(), Set.of(), Map.of())).sql()).isEqualTo("FALSE");
    }

    @Test
    void misspeltSectionIsRejectedRatherThanIgnored() throws Exception {
        ConfigException e = assertThrows(() -> PolicyParser.parse(snapshot("identity:\n  audience: omnisql\npolices:\n  tables: {}\n")));
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.getMessage()).contains("polices").contains("unknown key");
        ConfigException access = assertThrows(() -> PolicyParser.parse(snapshot(HEAD.replace("  tables:\n", "  default_access: maybe\n"))));
        assertThat(access.getMessage()).contains("allow or deny");
    }

    @Test
    void renderedFiltersEscapeValuesAndPushWhatTheSourceSupports() throws Exception {
        Snapshot s = snapshot(HEAD + "    jira.issues:\n      row_filters:\n"
                + "        - {name: team, where: \"team_id = principal.team AND (status <> 'Done' OR project IN ('MOB', 'WEB'))\"}\n"
                + "        - {name: own, where: \"principal.subject = assignee AND key LIKE 'MOB-%'\"}\n");
        List<RowFilter> filters = PolicyParser.parse(s).table("jira.issues").rowFilters();
        Principal sly = new Principal("o'brien", "mob'ile", Set.of(), Set.of(), Map.of());
        RowFilter.Rendered team = filters.get(0).render(sly);
        assertThat(team.sql()).isEqualTo("\"team_id\" = 'mob''ile' AND (\"status\" <> 'Done' OR \"project\" IN ('MOB', 'WEB'))");
        // Only the top-level conjunct the catalog can push, with the raw value (the connector quotes it for JQL).
        assertThat(team.pushable()).containsExactly(new Predicate("team_id", Op.EQ, List.of("mob'ile"), "team_id = 'mob''ile'"));
        RowFilter.Rendered own = filters.get(1).render(sly);
        assertThat(own.sql()).isEqualTo("'o''brien' = \"assignee\" AND \"key\" LIKE 'MOB-%'");
        assertThat(own.pushable()).isEmpty();
        RowFilter.Rendered closed = filters.get(0).render(new Principal("x", null, Set.of(), Set.of(), Map.of()));
        assertThat(closed.sql()).isEqualTo("FALSE");
        assertThat(closed.missingAttribute()).isEqualTo("team");
    }

    private static ConfigException assertThrows(ThrowingCall call) {
        try {
            call.run();
        } catch (ConfigException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("accepted");
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }
}
