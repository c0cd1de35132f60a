package io.omnisql.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.config.Catalog;
import io.omnisql.config.ConfigStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Which equalities the planner offers join-driven pushdown: only those no preserved-row join could undo. */
class EquiJoinPlanTest {
    private static Catalog catalog;

    @BeforeAll
    static void load() throws Exception {
        try (ConfigStore store = ConfigStore.open(Path.of("."))) {
            catalog = store.current().catalog();
        }
    }

    private static List<EquiJoin> joins(String sql) {
        return new Planner().plan(sql, catalog).joins();
    }

    @Test
    void innerJoinOnAndCommaJoinWhereAreOffered() {
        assertThat(joins("SELECT 1 FROM jira.issues i JOIN jira_dc.issues d ON d.key = i.key WHERE i.project = 'MOB'"))
                .containsExactly(new EquiJoin(1, "key", 0, "key"));
        assertThat(joins("SELECT 1 FROM jira.issues i, jira_dc.issues d WHERE i.project = 'MOB' AND i.key = d.key"))
                .containsExactly(new EquiJoin(0, "key", 1, "key"));
        assertThat(joins("SELECT 1 FROM jira.issues i INNER JOIN jira_dc.issues d ON i.key = d.key AND i.status = d.status"))
                .containsExactly(new EquiJoin(0, "key", 1, "key"), new EquiJoin(0, "status", 1, "status"));
    }

    @Test
    void joinsThatKeepRowsWithoutPartnerAreNotOffered() {
        assertThat(joins("SELECT 1 FROM jira.issues i LEFT JOIN jira_dc.issues d ON d.key = i.key")).isEmpty();
        assertThat(joins("SELECT 1 FROM jira.issues i FULL JOIN jira_dc.issues d ON d.key = i.key")).isEmpty();
        assertThat(joins("SELECT 1 FROM jira.issues i JOIN jira_dc.issues d ON d.key = i.key "
                + "RIGHT JOIN github.pull_requests p ON p.branch = i.branch_name")).isEmpty();
        // A disjunction, a comparison other than =, columns of different types: no equi-join.
        assertThat(joins("SELECT 1 FROM jira.issues i JOIN jira_dc.issues d ON d.key = i.key OR d.summary = i.summary")).isEmpty();
        assertThat(joins("SELECT 1 FROM jira.issues i JOIN jira_dc.issues d ON d.key < i.key")).isEmpty();
        assertThat(joins("SELECT 1 FROM jira.issues i JOIN github.pull_requests p ON p.number = i.key")).isEmpty();
    }
}
