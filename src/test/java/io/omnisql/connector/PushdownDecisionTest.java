package io.omnisql.connector;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.config.Catalog;
import io.omnisql.config.ConfigStore;
import io.omnisql.connector.Pushdown.Kind;
import io.omnisql.sql.Op;
import io.omnisql.sql.Predicate;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pushdown contract on the project's own catalog: RequestBuilder decides once, per candidate, whether the
 * source applies it exactly, approximately (then DuckDB applies it too) or not at all, and the residual list is
 * read from that decision.
 */
class PushdownDecisionTest {
    private static Catalog catalog;

    @BeforeAll
    static void load() throws Exception {
        try (ConfigStore store = ConfigStore.open(Path.of("."))) {
            catalog = store.current().catalog();
        }
    }

    private static Pushdown decide(String table, Predicate... candidates) {
        Catalog.TableDef def = catalog.table(table).orElseThrow();
        return RequestBuilder.build(def, catalog.sources().get(def.source()), URI.create("http://127.0.0.1:9"),
                Set.of(def.columns().get(0).name()), List.of(candidates)).pushdown();
    }

    private static Predicate eq(String column, String value) {
        return new Predicate(column, Op.EQ, List.of(value), column + " = '" + value + "'");
    }

    @Test
    void eachCandidateIsPushedExactlyApproximatelyOrNotAndTheResidualFollows() {
        Predicate project = eq("project", "MOB");        // narrows the fan-out: exact
        Predicate status = eq("status", "Done");         // JQL compares case-insensitively: a superset
        Predicate summary = eq("summary", "x");          // no pushdown rule
        Predicate team = eq("team_id", "not-an-option"); // not among the values Jira accepts
        Pushdown p = decide("jira.issues", project, status, summary, team);

        assertThat(p.decisions()).extracting(Pushdown.Decision::kind)
                .containsExactly(Kind.EXACT, Kind.APPROXIMATE, Kind.NOT_PUSHED, Kind.NOT_PUSHED);
        assertThat(p.pushed()).containsExactly(project, status);
        assertThat(p.notPushed()).containsExactly(summary, team);
        assertThat(p.residual()).containsExactly(summary, team, status);
        assertThat(p.candidates()).containsExactly(project, status, summary, team);
        assertThat(p.decisions().get(1).rule().kind()).isEqualTo(Catalog.PushRule.Kind.JQL);
        assertThat(p.decisions().get(2).rule()).isNull();
    }

    @Test
    void aSecondPredicateOnTheSameQueryParameterIsNotPushed() {
        Predicate first = eq("base_branch", "main");
        Predicate second = eq("base_branch", "develop");
        Pushdown p = decide("github.pull_requests", first, second);

        assertThat(p.decisions()).extracting(Pushdown.Decision::kind).containsExactly(Kind.EXACT, Kind.NOT_PUSHED);
        assertThat(p.residual()).containsExactly(second);
    }
}
