package io.omnisql.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import io.omnisql.sim.DemoData;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated policy files (mask kind and audience by tag, team filter with or without an exemption, access rules
 * by tag or table), principals and statements over both Jira tables: no answer ever holds an e-mail in clear
 * for a principal the mask applies to, nor a row of another team for a principal the team filter applies to,
 * nor any row for one who is denied. Tries are bounded (30), so the test takes seconds.
 */
class GeneratedPoliciesPropertyTest {
    private static final List<String> TEAMS = List.of("mobile", "web", "platform");
    private static final List<String> ROLES = List.of("analyst", "admin", "qa", "contractor");
    private static GatewayHarness gw;
    private static Set<String> emails;
    private static String shipped;

    /** One generated policies.yaml and what it should do. */
    record Policy(String mask, String maskExempt, boolean teamFilter, String filterExempt, String deniedRole,
                  boolean allowByTag) {
        String yaml() {
            StringBuilder y = new StringBuilder("identity: {audience: omnisql, demo_issuer: {enabled: true}}\npolicies:\n"
                    + "  default_access: deny\n  tags:\n    pii.email:\n      column: {name: gen_mask, mask: " + mask
                    + (maskExempt == null ? "" : ", unless: {" + maskExempt + "}") + "}\n");
            if (teamFilter) {
                y.append("    team:\n      row_filters:\n        - {name: gen_team, where: team_id = principal.team")
                        .append(filterExempt == null ? "" : ", unless: {roles: " + filterExempt + "}").append("}\n");
            }
            if (allowByTag || deniedRole != null) {
                y.append("    jira:\n");
            }
            if (allowByTag) {
                y.append("      allow: [{name: gen_allow, when: everyone}]\n");
            }
            if (deniedRole != null) {
                y.append("      deny: [{name: gen_deny, when: {roles: ").append(deniedRole).append("}}]\n");
            }
            y.append("  tables:\n");
            if (!allowByTag) {
                for (String t : List.of("jira.issues", "jira_dc.issues")) {
                    y.append("    ").append(t).append(":\n      allow: [{name: gen_allow_").append(t.replace('.', '_'))
                            .append(", when: everyone}]\n");
                }
            }
            return y.toString();
        }
    }

    record Caller(String team, String role, boolean pii) {
    }

    @BeforeContainer
    static void start() throws Exception {
        gw = GatewayHarness.start();
        DemoData data = gw.gateway().simulators().data();
        emails = data.people().stream().map(DemoData.Person::email).collect(Collectors.toSet());
        shipped = java.nio.file.Files.readString(gw.configDir().resolve("policies.yaml"));
    }

    @AfterContainer
    static void stop() {
        gw.close();
    }

    @Provide
    Arbitrary<Policy> policies() {
        return Combinators.combine(Arbitraries.of("partial", "hash", "redact", "null"),
                Arbitraries.of("scopes: PII_ACCESS", "roles: admin").injectNull(0.3), Arbitraries.of(true, false),
                Arbitraries.of("admin", "qa").injectNull(0.4), Arbitraries.of(ROLES).injectNull(0.5), Arbitraries.of(true, false))
                .as(Policy::new);
    }

    @Provide
    Arbitrary<Caller> callers() {
        return Combinators.combine(Arbitraries.of(TEAMS).injectNull(0.15), Arbitraries.of(ROLES), Arbitraries.of(true, false))
                .as(Caller::new);
    }

    @Provide
    Arbitrary<String> statements() {
        return Arbitraries.of(
                "SELECT key, team_id, assignee_email FROM %s",
                "SELECT i.key, i.team_id, i.assignee_email FROM %s i WHERE i.status <> 'Done'",
                "WITH x AS (SELECT * FROM %s) SELECT key, team_id, assignee_email FROM x",
                "SELECT key, team_id, assignee_email FROM (SELECT key, team_id, assignee_email FROM %s WHERE assignee_email IS NOT NULL) s",
                "SELECT a.key, a.team_id, b.assignee_email FROM %1$s a JOIN %1$s b ON a.key = b.key");
    }

    @Property(tries = 30, afterFailure = net.jqwik.api.AfterFailureMode.SAMPLE_ONLY)
    void noGeneratedPolicyLeaksAClearEmailOrAnotherTeamsRow(@ForAll("policies") Policy policy, @ForAll("callers") Caller caller,
                                                             @ForAll("statements") String statement,
                                                             @ForAll("tables") String table) throws Exception {
        String yaml = policy.yaml();
        if (!yaml.equals(java.nio.file.Files.readString(gw.configDir().resolve("policies.yaml")))) {
            assertThat(gw.edit("policies.yaml", t -> yaml)).as(yaml).isTrue();
        }
        String token = gw.token("gen-" + caller.role() + "-" + caller.team() + "-" + caller.pii(), caller.team(),
                caller.role(), caller.pii() ? "PII_ACCESS" : "");
        Response r = gw.query(token, String.format(statement, table));
        if (caller.role().equals(policy.deniedRole())) {
            assertThat(r.status()).as(r.text()).isEqualTo(403);
            assertThat(r.body().at("/error/rule").asText()).isEqualTo("gen_deny");
            return;
        }
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        boolean masked = policy.maskExempt() == null
                || policy.maskExempt().startsWith("scopes") && !caller.pii()
                || policy.maskExempt().startsWith("roles") && !caller.role().equals("admin");
        boolean filtered = policy.teamFilter() && !caller.role().equals(policy.filterExempt());
        List<String> leaks = new ArrayList<>();
        for (JsonNode row : r.body().get("rows")) {
            String team = row.get(1).isNull() ? null : row.get(1).asText();
            String email = row.get(2).isNull() ? null : row.get(2).asText();
            if (masked && email != null && emails.contains(email)) {
                leaks.add("clear e-mail " + email);
            }
            if (filtered && (caller.team() == null || !caller.team().equals(team))) {
                leaks.add("row of team " + team + " for " + caller.team());
            }
        }
        assertThat(leaks).as("%s%n%s as %s", yaml, statement, caller).isEmpty();
    }

    @Provide
    Arbitrary<String> tables() {
        return Arbitraries.of("jira.issues", "jira_dc.issues");
    }

    /** Restores the shipped file so a failure report's sample can be replayed on a known start. */
    @net.jqwik.api.lifecycle.AfterProperty
    void restore() throws Exception {
        gw.edit("policies.yaml", t -> shipped);
    }
}
