package io.omnisql.sim;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import java.util.List;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class DemoDataTest {

    private static final DemoData DATA = DemoData.generate(SimulatorSettings.defaults());

    @Test
    void everyLinkedPullRequestBranchExistsAsAJiraBranchField() {
        Map<String, DemoData.Issue> byBranch = DATA.issues().stream().filter(i -> i.branch() != null)
                .collect(Collectors.toMap(DemoData.Issue::branch, i -> i));
        long linked = DATA.pullRequests().stream().filter(p -> p.jiraKey() != null).peek(pr -> {
            DemoData.Issue issue = byBranch.get(pr.headRef());
            assertThat(issue).as(pr.headRef()).isNotNull();
            assertThat(issue.key()).isEqualTo(pr.jiraKey());
            assertThat(pr.headRef()).startsWith("feature/" + issue.key() + "-");
            assertThat(issue.assignee()).as("the PR author works the issue").isEqualTo(pr.author());
        }).count();
        assertThat(linked).isBetween(2700L, 3300L);
        assertThat(byBranch).hasSize((int) linked);
        assertThat(DATA.pullRequests().stream().filter(p -> p.jiraKey() == null))
                .allSatisfy(p -> assertThat(p.headRef()).doesNotStartWith("feature/"));
    }

    @Test
    void aGoodShareOfInProgressIssuesIsLinkedToPullRequests() {
        long inProgress = DATA.issues().stream().filter(i -> i.status().equals("In Progress")).count();
        long linked = DATA.issues().stream().filter(i -> i.status().equals("In Progress") && i.branch() != null).count();
        assertThat(linked * 100 / inProgress).isGreaterThanOrEqualTo(35);
    }

    @Test
    void sizesAndShapesFollowTheSettings() {
        assertThat(DATA.pullRequests()).hasSize(5000);
        assertThat(DATA.issues()).hasSize(10000);
        assertThat(DATA.people()).hasSize(36);
        assertThat(DATA.issues().stream().map(DemoData.Issue::status).collect(Collectors.toSet()))
                .isEqualTo(Set.copyOf(DemoData.STATUSES));
        assertThat(DATA.pullRequests()).allSatisfy(p -> {
            assertThat(p.createdAt()).isBefore(DemoData.ANCHOR).isAfter(DemoData.ANCHOR.minusSeconds(731L * 86_400));
            assertThat(p.updatedAt()).isAfterOrEqualTo(p.createdAt());
            assertThat(p.mergedAt() == null || p.state().equals("closed")).isTrue();
        });
        long hiddenEmails = DATA.people().stream().filter(p -> !p.jiraEmailVisible()).count();
        assertThat(hiddenEmails).isBetween(5L, 10L);
    }

    @Test
    void generationIsDeterministicForASeed() {
        DemoData again = DemoData.generate(SimulatorSettings.defaults());
        assertThat(again.pullRequests()).isEqualTo(DATA.pullRequests());
        assertThat(again.issues()).isEqualTo(DATA.issues());
    }

    @Test
    void everyPersonIsInExactlyOneTeamIndependentOfSeed() {
        Map<String, String> teams = DATA.authorTeams();
        assertThat(teams).hasSize(36);
        assertThat(teams.values().stream().collect(Collectors.groupingBy(t -> t, Collectors.counting())))
                .isEqualTo(Map.of("mobile", 12L, "web", 12L, "platform", 12L));
        SimulatorSettings other = SimulatorSettings.fromMap(Map.of("github", Map.of("seed", 1, "pull_requests", 10),
                "jira", Map.of("issues", 10)));
        assertThat(DemoData.generate(other).authorTeams()).isEqualTo(teams);
        assertThat(DATA.pullRequests()).allSatisfy(p -> assertThat(teams).containsKey(p.author()));
    }

    @Test
    void configuredTitlesReplaceTheFirstPullRequestsTitlesAndNothingElse() {
        String hostile = "<img src=x onerror=alert(1)>";
        DemoData data = DemoData.generate(SimulatorSettings.fromMap(Map.of("github", Map.of("titles", List.of(hostile, hostile)))));
        assertThat(data.pullRequests().subList(0, 2)).extracting(DemoData.PullRequest::title).containsOnly(hostile);
        assertThat(data.pullRequests().subList(2, 5000)).extracting(DemoData.PullRequest::title)
                .isEqualTo(DATA.pullRequests().subList(2, 5000).stream().map(DemoData.PullRequest::title).toList());
        assertThat(data.pullRequests()).extracting(DemoData.PullRequest::id)
                .isEqualTo(DATA.pullRequests().stream().map(DemoData.PullRequest::id).toList());
        assertThatThrownBy(() -> SimulatorSettings.fromMap(Map.of("github", Map.of("titles", List.of(1)))))
                .hasMessage("github.titles: must be a list of non-empty strings");
    }
}
