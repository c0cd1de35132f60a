package io.omnisql.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class GithubSimulatorTest {

    private static final Pattern NEXT = Pattern.compile("<([^>]+)>; rel=\"next\"");
    private static Simulators sims;
    private static URI gh;

    @BeforeAll
    static void start() {
        sims = Simulators.start(SimulatorSettings.defaults());
        gh = sims.githubBaseUrl();
    }

    @AfterAll
    static void stop() {
        sims.close();
    }

    @Test
    void followingNextLinksReturnsEveryPullRequestOfTheRepoExactlyOnce() {
        DemoData.Repo repo = sims.data().repos().getFirst();
        long expected = sims.data().pullRequests().stream().filter(p -> p.repo().equals(repo)).count();
        List<String> nextLinks = new ArrayList<>();
        Set<Long> ids = new HashSet<>();
        int items = 0;
        URI uri = URI.create(gh + "/repos/acme/" + repo.name() + "/pulls?state=all&per_page=100");
        while (uri != null) {
            HttpResponse<String> r = Http.fetch(uri);
            assertThat(r.statusCode()).isEqualTo(200);
            for (JsonNode pr : Http.json(r)) {
                ids.add(pr.get("id").asLong());
                items++;
            }
            Matcher m = NEXT.matcher(r.headers().firstValue("Link").orElse(""));
            uri = m.find() ? URI.create(m.group(1)) : null;
            if (uri != null) {
                nextLinks.add(uri.toString());
            }
        }
        assertThat(items).isEqualTo(expected);
        assertThat(ids).hasSize((int) expected);
        assertThat(nextLinks).isNotEmpty().allSatisfy(link -> assertThat(link)
                .startsWith(gh + "/repositories/" + repo.id() + "/pulls?state=all&per_page=100&page="));
    }

    @Test
    void firstPageLinkHeaderHasNextAndLastLikeGithub() {
        HttpResponse<String> r = Http.get(gh, "/repos/acme/web-app/pulls?state=closed&per_page=50");
        long closed = sims.data().pullRequests().stream()
                .filter(p -> p.repo().name().equals("web-app") && p.state().equals("closed")).count();
        long lastPage = (closed + 49) / 50;
        long repoId = sims.data().repos().get(1).id();
        assertThat(r.headers().firstValue("Link")).hasValue(
                "<" + gh + "/repositories/" + repoId + "/pulls?state=closed&per_page=50&page=2>; rel=\"next\", "
                        + "<" + gh + "/repositories/" + repoId + "/pulls?state=closed&per_page=50&page=" + lastPage
                        + ">; rel=\"last\"");
    }

    @Test
    void defaultListIsThirtyOpenPullRequestsNewestFirst() {
        JsonNode page = Http.json(Http.get(gh, "/repos/acme/mobile-app/pulls"));
        assertThat(page).hasSize(30);
        List<String> created = new ArrayList<>();
        page.forEach(pr -> {
            assertThat(pr.get("state").asText()).isEqualTo("open");
            created.add(pr.get("created_at").asText());
        });
        assertThat(created).isSortedAccordingTo((a, b) -> b.compareTo(a));
    }

    @Test
    void itemsHaveGithubShapeAndUseTheSimulatorHost() {
        JsonNode pr = Http.json(Http.get(gh, "/repos/acme/platform-api/pulls?state=closed&per_page=1")).get(0);
        assertThat(pr.get("id").isIntegralNumber()).isTrue();
        assertThat(pr.get("user").get("login").asText()).isNotBlank();
        assertThat(pr.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(pr.get("head").get("label").asText()).isEqualTo("acme:" + pr.get("head").get("ref").asText());
        assertThat(pr.get("head").get("sha").asText()).hasSize(40);
        assertThat(pr.get("base").get("repo").get("full_name").asText()).isEqualTo("acme/platform-api");
        assertThat(pr.get("diff_url").asText()).startsWith(gh.toString()).endsWith(".diff");
        assertThat(pr.has("labels") && pr.has("requested_teams") && pr.has("draft") && pr.has("merged_at")).isTrue();
        assertThat(pr.has("author_email")).as("GitHub has no e-mail on a pull request").isFalse();
    }

    @Test
    void stateHeadAndBaseFiltersMatchExactly() {
        DemoData.PullRequest linked = sims.data().pullRequests().stream()
                .filter(p -> p.jiraKey() != null && p.repo().name().equals("mobile-app")).findFirst().orElseThrow();
        JsonNode byHead = Http.json(Http.get(gh, "/repos/acme/mobile-app/pulls?state=all&head="
                + Http.enc("acme:" + linked.headRef())));
        assertThat(byHead).hasSize(1);
        assertThat(byHead.get(0).get("number").asInt()).isEqualTo(linked.number());

        JsonNode partialHead = Http.json(Http.get(gh, "/repos/acme/mobile-app/pulls?state=all&head="
                + Http.enc("acme:" + linked.headRef().substring(0, 12))));
        assertThat(partialHead).as("head is an exact match, not a prefix").isEmpty();

        JsonNode release = Http.json(Http.get(gh, "/repos/acme/mobile-app/pulls?state=closed&per_page=100&base=release/1.3"));
        assertThat(release).isNotEmpty().allSatisfy(pr -> {
            assertThat(pr.get("base").get("ref").asText()).isEqualTo("release/1.3");
            assertThat(pr.get("state").asText()).isEqualTo("closed");
        });
    }

    @Test
    void mergedPullRequestsAreClosedWithMergedAt() {
        JsonNode page = Http.json(Http.get(gh, "/repos/acme/infra/pulls?state=closed&per_page=100"));
        assertThat(page).allSatisfy(pr -> assertThat(pr.get("closed_at").isNull()).isFalse());
        assertThat(page).anySatisfy(pr -> assertThat(pr.get("merged_at").isNull()).isFalse());
        assertThat(page).anySatisfy(pr -> assertThat(pr.get("merged_at").isNull()).isTrue());
    }

    @Test
    void matchingIfNoneMatchAnswers304WithoutBody() {
        String path = "/repos/acme/web-app/pulls?state=all&per_page=5";
        HttpResponse<String> first = Http.get(gh, path);
        String etag = first.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> again = Http.get(gh, path, "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        HttpResponse<String> otherPage = Http.get(gh, path + "&page=2", "If-None-Match", etag);
        assertThat(otherPage.statusCode()).isEqualTo(200);
    }

    @Test
    void invalidParametersAnswer422AndUnknownRepos404InGithubErrorShape() {
        HttpResponse<String> badState = Http.get(gh, "/repos/acme/web-app/pulls?state=bogus");
        assertThat(badState.statusCode()).isEqualTo(422);
        assertThat(Http.json(badState).get("message").asText()).isEqualTo("Validation Failed");
        assertThat(Http.json(badState).get("documentation_url").asText()).startsWith("https://docs.github.com/");
        assertThat(Http.get(gh, "/repos/acme/web-app/pulls?per_page=abc").statusCode()).isEqualTo(422);
        HttpResponse<String> missing = Http.get(gh, "/repos/acme/nope/pulls");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(Http.json(missing).get("message").asText()).isEqualTo("Not Found");
    }

    @Test
    void perPageIsCappedAtOneHundred() {
        assertThat(Http.json(Http.get(gh, "/repos/acme/web-app/pulls?state=all&per_page=500"))).hasSize(100);
    }

    @Test
    void commitsCarryTheAuthorsEmailWhileTheProfileOftenHidesIt() {
        DemoData.PullRequest pr = sims.data().pullRequests().get(10);
        DemoData.Person author = sims.data().person(pr.author()).orElseThrow();
        JsonNode commits = Http.json(Http.get(gh, "/repos/acme/" + pr.repo().name() + "/pulls/" + pr.number()
                + "/commits"));
        assertThat(commits.size()).isBetween(1, 3);
        assertThat(commits).allSatisfy(c ->
                assertThat(c.get("commit").get("author").get("email").asText()).isEqualTo(author.email()));
        assertThat(commits.get(commits.size() - 1).get("sha").asText()).isEqualTo(pr.headSha());

        long hidden = sims.data().people().stream()
                .filter(p -> Http.json(Http.get(gh, "/users/" + p.login())).get("email").isNull()).count();
        assertThat(hidden).isGreaterThan(sims.data().people().size() / 2);
    }

    @Test
    void teamMembersListTheTeamsPeople() {
        JsonNode members = Http.json(Http.get(gh, "/orgs/acme/teams/mobile/members"));
        Map<String, String> teams = sims.data().authorTeams();
        assertThat(members).hasSize(12).allSatisfy(m ->
                assertThat(teams.get(m.get("login").asText())).isEqualTo("mobile"));
    }

    @Test
    void malformedAuthorizationIsRejectedButNoneIsRequired() {
        assertThat(Http.get(gh, "/repos/acme/web-app/pulls", "Authorization", "Bearer ghp_demo").statusCode())
                .isEqualTo(200);
        assertThat(Http.get(gh, "/repos/acme/web-app/pulls", "Authorization", "garbage").statusCode())
                .isEqualTo(401);
    }
}
