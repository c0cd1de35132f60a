package io.omnisql.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * GitHub REST subset over one {@link DemoData} generation. Pull request items are rendered to JSON bytes once;
 * a list page is the concatenation of its items, and its ETag combines per-item hashes, so serving a page costs
 * a copy, not a serialization.
 */
final class GithubApi implements Api {

    private static final String DOCS = "https://docs.github.com/rest";
    private static final String PULLS_DOCS = "https://docs.github.com/rest/pulls/pulls#list-pull-requests";
    private static final Set<String> STATES = Set.of("open", "closed", "all");
    private static final Set<String> SORTS = Set.of("created", "updated", "popularity", "long-running");
    private static final Set<String> ISSUE_SORTS = Set.of("created", "updated", "comments");
    private static final String ISSUES_DOCS = "https://docs.github.com/rest/issues/issues#list-repository-issues";
    /** Issue ids of the demo's pull requests live in their own id range, as on GitHub. */
    private static final long ISSUE_ID_OFFSET = 1_000_000_000L;
    private static final long ORG_ID = 9_919_001L;
    private static final long TEAM_ID_BASE = 4_100_000L;
    private static final int MAX_CACHED_LISTS = 512;

    private final DemoData data;
    private final String base;
    private final String org;
    private final Map<String, DemoData.Repo> reposByName = new HashMap<>();
    private final Map<Long, DemoData.Repo> reposById = new HashMap<>();
    private final Map<String, int[]> pullsByRepo = new HashMap<>();
    private final byte[][] items;
    private final long[] itemHashes;
    private final Map<String, int[]> selections = new ConcurrentHashMap<>();

    GithubApi(DemoData data, URI baseUrl) {
        this.data = data;
        this.base = baseUrl.toString();
        this.org = data.org();
        for (DemoData.Repo r : data.repos()) {
            reposByName.put(r.name().toLowerCase(Locale.ROOT), r);
            reposById.put(r.id(), r);
        }
        List<DemoData.PullRequest> prs = data.pullRequests();
        items = new byte[prs.size()][];
        itemHashes = new long[prs.size()];
        Map<String, List<Integer>> byRepo = new HashMap<>();
        for (int i = 0; i < prs.size(); i++) {
            DemoData.PullRequest pr = prs.get(i);
            items[i] = JsonBytes.render(g -> writePull(g, pr));
            itemHashes[i] = fnv(items[i]);
            byRepo.computeIfAbsent(pr.repo().name(), k -> new ArrayList<>()).add(i);
        }
        byRepo.forEach((repo, idx) -> pullsByRepo.put(repo, idx.stream().mapToInt(Integer::intValue).toArray()));
    }

    // ---- routing -------------------------------------------------------------------------------------------

    static Counters.Kind kindOf(ServerRequest req) {
        String p = req.path().path();
        if (p.endsWith("/pulls")) {
            return Counters.Kind.GITHUB_PULLS_PAGES;
        }
        if (p.endsWith("/commits")) {
            return Counters.Kind.GITHUB_COMMITS;
        }
        if (p.startsWith("/users/")) {
            return Counters.Kind.GITHUB_USERS;
        }
        return p.endsWith("/members") ? Counters.Kind.GITHUB_TEAM_MEMBERS : null;
    }

    @Override
    public Reply handle(ServerRequest req) {
        if (!req.prologue().method().equals(Method.GET)) {
            return notFound();
        }
        String auth = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        if (auth != null && !auth.matches("(?i)(bearer|token) \\S+")) {
            return error(401, "Bad credentials", DOCS);
        }
        String[] seg = req.path().path().substring(1).split("/");
        if (seg.length >= 3 && seg[0].equals("repos") && seg[1].equalsIgnoreCase(org)) {
            DemoData.Repo repo = reposByName.get(seg[2].toLowerCase(Locale.ROOT));
            return repo == null ? notFound() : repoRoute(req, repo, seg, 3);
        }
        if (seg.length >= 2 && seg[0].equals("repositories")) {
            DemoData.Repo repo = reposById.get(parseLong(seg[1]));
            return repo == null ? notFound() : repoRoute(req, repo, seg, 2);
        }
        if (seg.length == 2 && seg[0].equals("users")) {
            return data.person(seg[1]).map(this::user).orElseGet(GithubApi::notFound);
        }
        if (seg.length == 5 && seg[0].equals("orgs") && seg[1].equalsIgnoreCase(org) && seg[2].equals("teams")
                && seg[4].equals("members")) {
            return teamMembers(req, DemoData.TEAMS.indexOf(seg[3]));
        }
        if (seg.length == 5 && seg[0].equals("organizations") && parseLong(seg[1]) == ORG_ID
                && seg[2].equals("team") && seg[4].equals("members")) {
            return teamMembers(req, (int) (parseLong(seg[3]) - TEAM_ID_BASE));
        }
        return notFound();
    }

    private Reply repoRoute(ServerRequest req, DemoData.Repo repo, String[] seg, int at) {
        if (seg.length == at) {
            return ok(JsonBytes.render(g -> writeRepo(g, repo)));
        }
        if (seg[at].equals("issues") && seg.length == at + 1) {
            return listIssues(req, repo);
        }
        if (!seg[at].equals("pulls")) {
            return notFound();
        }
        if (seg.length == at + 1) {
            return listPulls(req, repo);
        }
        int index = pullIndex(repo, seg[at + 1]);
        if (index < 0 || seg.length > at + 3 || (seg.length == at + 3 && !seg[at + 2].equals("commits"))) {
            return notFound();
        }
        return seg.length == at + 2 ? withEtag(req, items[index], itemHashes[index])
                : ok(JsonBytes.render(g -> writeCommits(g, data.pullRequests().get(index))));
    }

    // ---- pull request lists --------------------------------------------------------------------------------

    private Reply listPulls(ServerRequest req, DemoData.Repo repo) {
        String state = param(req, "state", "open");
        String sort = param(req, "sort", "created");
        String direction = param(req, "direction", sort.equals("created") ? "desc" : "asc");
        if (!STATES.contains(state)) {
            return invalid("state", state);
        }
        if (!SORTS.contains(sort)) {
            return invalid("sort", sort);
        }
        if (!direction.equals("asc") && !direction.equals("desc")) {
            return invalid("direction", direction);
        }
        Integer perPage = intParam(req, "per_page", 30);
        Integer page = intParam(req, "page", 1);
        if (perPage == null) {
            return invalid("per_page", param(req, "per_page", ""));
        }
        if (page == null) {
            return invalid("page", param(req, "page", ""));
        }
        int size = Math.clamp(perPage, 1, 100);
        int pageNo = Math.max(1, page);
        int[] selected = select(repo, state, param(req, "head", null), param(req, "base", null), sort,
                direction.equals("asc"));
        int from = (int) Math.min(selected.length, (long) (pageNo - 1) * size);
        int to = Math.min(selected.length, from + size);
        Reply reply = page(req, selected, from, to);
        if (reply.status() == 200 && selected.length > 0) {
            reply.header("Link", link(req, "/repositories/" + repo.id() + "/pulls", pageNo,
                    (selected.length + size - 1) / size));
        }
        return reply;
    }

    /**
     * GET /repos/{o}/{r}/issues: like the real API the list holds pull requests too (each with a
     * {@code pull_request} object); every item of the demo data is one. Filters: state, creator, labels (all of
     * a comma list); sort created/updated/comments.
     */
    private Reply listIssues(ServerRequest req, DemoData.Repo repo) {
        String state = param(req, "state", "open");
        String sort = param(req, "sort", "created");
        String direction = param(req, "direction", "desc");
        if (!STATES.contains(state)) {
            return invalid("state", state, "Issue", ISSUES_DOCS);
        }
        if (!ISSUE_SORTS.contains(sort)) {
            return invalid("sort", sort, "Issue", ISSUES_DOCS);
        }
        if (!direction.equals("asc") && !direction.equals("desc")) {
            return invalid("direction", direction, "Issue", ISSUES_DOCS);
        }
        Integer perPage = intParam(req, "per_page", 30);
        Integer page = intParam(req, "page", 1);
        if (perPage == null || page == null) {
            return invalid(perPage == null ? "per_page" : "page", "", "Issue", ISSUES_DOCS);
        }
        String creator = param(req, "creator", null);
        List<String> labels = param(req, "labels", "").isEmpty() ? List.of()
                : List.of(param(req, "labels", "").split(","));
        List<DemoData.PullRequest> prs = data.pullRequests();
        int[] selected = IntStream.of(select(repo, state, null, null, sort, direction.equals("asc")))
                .filter(i -> creator == null || prs.get(i).author().equalsIgnoreCase(creator))
                .filter(i -> prs.get(i).labels().containsAll(labels))
                .toArray();
        int size = Math.clamp(perPage, 1, 100);
        int pageNo = Math.max(1, page);
        int from = (int) Math.min(selected.length, (long) (pageNo - 1) * size);
        int to = Math.min(selected.length, from + size);
        byte[] body = JsonBytes.render(g -> {
            g.writeStartArray();
            for (int i = from; i < to; i++) {
                writeIssue(g, prs.get(selected[i]));
            }
            g.writeEndArray();
        });
        Reply reply = withEtag(req, body, fnv(body));
        if (reply.status() == 200 && selected.length > 0) {
            reply.header("Link", link(req, "/repositories/" + repo.id() + "/issues", pageNo,
                    (selected.length + size - 1) / size));
        }
        return reply;
    }

    private int[] select(DemoData.Repo repo, String state, String head, String baseRef, String sort, boolean asc) {
        String key = String.join("\u0000", repo.name(), state, String.valueOf(head), String.valueOf(baseRef), sort,
                String.valueOf(asc));
        int[] hit = selections.get(key);
        if (hit != null) {
            return hit;
        }
        if (selections.size() >= MAX_CACHED_LISTS) {
            selections.clear();
        }
        // GitHub ignores a head filter that lacks the "owner:" part, so a bare branch name filters nothing.
        String headRef = null;
        if (head != null && head.indexOf(':') > 0) {
            String owner = head.substring(0, head.indexOf(':'));
            headRef = owner.equalsIgnoreCase(org) ? head.substring(head.indexOf(':') + 1) : "\u0000no-match";
        }
        String wantRef = headRef;
        List<DemoData.PullRequest> prs = data.pullRequests();
        Comparator<Integer> order = Comparator.comparing(i -> sortKey(prs.get(i), sort));
        order = order.thenComparing(i -> prs.get(i).number());
        int[] out = IntStream.of(pullsByRepo.getOrDefault(repo.name(), new int[0]))
                .filter(i -> state.equals("all") || prs.get(i).state().equals(state))
                .filter(i -> wantRef == null || prs.get(i).headRef().equals(wantRef))
                .filter(i -> baseRef == null || prs.get(i).baseRef().equals(baseRef))
                .boxed()
                .sorted(asc ? order : order.reversed())
                .mapToInt(Integer::intValue)
                .toArray();
        selections.put(key, out);
        return out;
    }

    private static long sortKey(DemoData.PullRequest pr, String sort) {
        return switch (sort) {
            case "updated" -> pr.updatedAt().getEpochSecond();
            case "popularity" -> pr.comments();
            case "long-running" -> Duration.between(pr.createdAt(), pr.updatedAt()).toSeconds();
            case "comments" -> pr.comments();
            default -> pr.createdAt().getEpochSecond();
        };
    }

    private Reply page(ServerRequest req, int[] selected, int from, int to) {
        int length = 2;
        long h1 = 0xcbf29ce484222325L;
        long h2 = to - from;
        for (int i = from; i < to; i++) {
            length += items[selected[i]].length + 1;
            h1 = (h1 ^ itemHashes[selected[i]]) * 0x100000001b3L;
            h2 = h2 * 31 + itemHashes[selected[i]];
        }
        String etag = "W/\"%016x%016x\"".formatted(h1, h2);
        if (notModified(req, etag)) {
            return Reply.json(304, (byte[]) null).header("ETag", etag).header("Cache-Control", cacheControl());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(length);
        out.write('[');
        for (int i = from; i < to; i++) {
            if (i > from) {
                out.write(',');
            }
            out.writeBytes(items[selected[i]]);
        }
        out.write(']');
        return ok(out.toByteArray()).header("ETag", etag);
    }

    private Reply withEtag(ServerRequest req, byte[] body, long hash) {
        String etag = "W/\"%016x%016x\"".formatted(hash, (long) body.length);
        if (notModified(req, etag)) {
            return Reply.json(304, (byte[]) null).header("ETag", etag).header("Cache-Control", cacheControl());
        }
        return ok(body).header("ETag", etag);
    }

    private static boolean notModified(ServerRequest req, String etag) {
        String ifNoneMatch = req.headers().first(HeaderNames.IF_NONE_MATCH).orElse(null);
        if (ifNoneMatch == null) {
            return false;
        }
        String want = etag.substring(2);
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.trim();
            if (c.equals("*") || (c.startsWith("W/") ? c.substring(2) : c).equals(want)) {
                return true;
            }
        }
        return false;
    }

    /** Link header in GitHub's form; like the real API the links use the /repositories/{id} path. */
    private String link(ServerRequest req, String path, int page, int last) {
        StringBuilder query = new StringBuilder();
        for (String part : req.query().rawValue().split("&")) {
            if (!part.isEmpty() && !part.equals("page") && !part.startsWith("page=")) {
                query.append(part).append('&');
            }
        }
        String prefix = base + path + "?" + query + "page=";
        List<String> rels = new ArrayList<>();
        if (page > 1) {
            rels.add("<" + prefix + Math.min(page - 1, last) + ">; rel=\"prev\"");
        }
        if (page < last) {
            rels.add("<" + prefix + (page + 1) + ">; rel=\"next\"");
            rels.add("<" + prefix + last + ">; rel=\"last\"");
        }
        if (page > 1) {
            rels.add("<" + prefix + 1 + ">; rel=\"first\"");
        }
        return String.join(", ", rels);
    }

    private int pullIndex(DemoData.Repo repo, String number) {
        long n = parseLong(number);
        int[] idx = pullsByRepo.getOrDefault(repo.name(), new int[0]);
        // Numbers are assigned 1..n in creation order, which is the order of the index.
        return n >= 1 && n <= idx.length ? idx[(int) n - 1] : -1;
    }

    // ---- other endpoints -----------------------------------------------------------------------------------

    private Reply user(DemoData.Person p) {
        return ok(JsonBytes.render(g -> {
            g.writeStartObject();
            writeUserFields(g, p.login(), p.githubId(), "User");
            g.writeStringField("name", p.name());
            g.writeStringField("company", "@" + org);
            g.writeStringField("blog", "");
            g.writeNullField("location");
            JsonBytes.field(g, "email", p.publicEmail() ? p.email() : null);
            g.writeNullField("hireable");
            g.writeNullField("bio");
            g.writeNumberField("public_repos", (int) (p.githubId() % 40));
            g.writeNumberField("public_gists", (int) (p.githubId() % 7));
            g.writeNumberField("followers", (int) (p.githubId() % 90));
            g.writeNumberField("following", (int) (p.githubId() % 25));
            g.writeStringField("created_at", "2016-03-0" + (1 + p.githubId() % 9) + "T09:12:44Z");
            g.writeStringField("updated_at", JsonBytes.github(DemoData.ANCHOR.minus(Duration.ofDays(3))));
            g.writeEndObject();
        }));
    }

    private Reply teamMembers(ServerRequest req, int team) {
        if (team < 0 || team >= DemoData.TEAMS.size()) {
            return notFound();
        }
        Integer perPage = intParam(req, "per_page", 30);
        Integer page = intParam(req, "page", 1);
        if (perPage == null || page == null) {
            return invalid(perPage == null ? "per_page" : "page", "");
        }
        String slug = DemoData.TEAMS.get(team);
        List<DemoData.Person> members = data.people().stream().filter(p -> p.team().equals(slug)).toList();
        int size = Math.clamp(perPage, 1, 100);
        int pageNo = Math.max(1, page);
        int from = (int) Math.min(members.size(), (long) (pageNo - 1) * size);
        List<DemoData.Person> slice = members.subList(from, Math.min(members.size(), from + size));
        Reply reply = ok(JsonBytes.render(g -> {
            g.writeStartArray();
            for (DemoData.Person p : slice) {
                writeUser(g, p.login(), p.githubId(), "User");
            }
            g.writeEndArray();
        }));
        int last = (members.size() + size - 1) / size;
        if (last > 1) {
            reply.header("Link", link(req, "/organizations/" + ORG_ID + "/team/" + (TEAM_ID_BASE + team)
                    + "/members", pageNo, last));
        }
        return reply;
    }

    // ---- rendering -----------------------------------------------------------------------------------------

    private void writePull(JsonGenerator g, DemoData.PullRequest pr) throws IOException {
        String api = base + "/repos/" + pr.repo().fullName();
        String html = base + "/" + pr.repo().fullName();
        g.writeStartObject();
        g.writeStringField("url", api + "/pulls/" + pr.number());
        g.writeNumberField("id", pr.id());
        g.writeStringField("node_id", nodeId("011:PullRequest", pr.id()));
        g.writeStringField("html_url", html + "/pull/" + pr.number());
        g.writeStringField("diff_url", html + "/pull/" + pr.number() + ".diff");
        g.writeStringField("patch_url", html + "/pull/" + pr.number() + ".patch");
        g.writeStringField("issue_url", api + "/issues/" + pr.number());
        g.writeStringField("commits_url", api + "/pulls/" + pr.number() + "/commits");
        g.writeStringField("review_comments_url", api + "/pulls/" + pr.number() + "/comments");
        g.writeStringField("review_comment_url", api + "/pulls/comments{/number}");
        g.writeStringField("comments_url", api + "/issues/" + pr.number() + "/comments");
        g.writeStringField("statuses_url", api + "/statuses/" + pr.headSha());
        g.writeNumberField("number", pr.number());
        g.writeStringField("state", pr.state());
        g.writeBooleanField("locked", false);
        g.writeStringField("title", pr.title());
        DemoData.Person author = data.person(pr.author()).orElseThrow();
        g.writeFieldName("user");
        writeUser(g, author.login(), author.githubId(), "User");
        g.writeStringField("body", pr.body());
        g.writeArrayFieldStart("labels");
        for (String label : pr.labels()) {
            writeLabel(g, pr.repo(), label);
        }
        g.writeEndArray();
        g.writeNullField("milestone");
        g.writeNullField("active_lock_reason");
        g.writeStringField("created_at", JsonBytes.github(pr.createdAt()));
        g.writeStringField("updated_at", JsonBytes.github(pr.updatedAt()));
        JsonBytes.field(g, "closed_at", JsonBytes.github(pr.closedAt()));
        JsonBytes.field(g, "merged_at", JsonBytes.github(pr.mergedAt()));
        JsonBytes.field(g, "merge_commit_sha", pr.mergedAt() == null ? null : sha(pr.headSha(), 7));
        g.writeNullField("assignee");
        g.writeArrayFieldStart("assignees");
        g.writeEndArray();
        g.writeArrayFieldStart("requested_reviewers");
        for (String login : pr.requestedReviewers()) {
            DemoData.Person r = data.person(login).orElseThrow();
            writeUser(g, r.login(), r.githubId(), "User");
        }
        g.writeEndArray();
        g.writeArrayFieldStart("requested_teams");
        for (String team : pr.requestedTeams()) {
            writeTeam(g, team);
        }
        g.writeEndArray();
        g.writeFieldName("head");
        writeRef(g, pr.repo(), pr.headRef(), pr.headSha());
        g.writeFieldName("base");
        writeRef(g, pr.repo(), pr.baseRef(), sha(pr.headSha(), 3));
        g.writeStringField("author_association", "MEMBER");
        g.writeNullField("auto_merge");
        g.writeBooleanField("draft", pr.draft());
        g.writeEndObject();
    }

    /** A pull request as GET /repos/{o}/{r}/issues lists it. */
    private void writeIssue(JsonGenerator g, DemoData.PullRequest pr) throws IOException {
        String api = base + "/repos/" + pr.repo().fullName();
        String html = base + "/" + pr.repo().fullName();
        long id = ISSUE_ID_OFFSET + pr.id();
        g.writeStartObject();
        g.writeStringField("url", api + "/issues/" + pr.number());
        g.writeStringField("repository_url", api);
        g.writeStringField("labels_url", api + "/issues/" + pr.number() + "/labels{/name}");
        g.writeStringField("comments_url", api + "/issues/" + pr.number() + "/comments");
        g.writeStringField("events_url", api + "/issues/" + pr.number() + "/events");
        g.writeStringField("html_url", html + "/pull/" + pr.number());
        g.writeNumberField("id", id);
        g.writeStringField("node_id", nodeId("05:Issue", id));
        g.writeNumberField("number", pr.number());
        g.writeStringField("title", pr.title());
        DemoData.Person author = data.person(pr.author()).orElseThrow();
        g.writeFieldName("user");
        writeUser(g, author.login(), author.githubId(), "User");
        g.writeArrayFieldStart("labels");
        for (String label : pr.labels()) {
            writeLabel(g, pr.repo(), label);
        }
        g.writeEndArray();
        g.writeStringField("state", pr.state());
        g.writeBooleanField("locked", false);
        g.writeNullField("assignee");
        g.writeArrayFieldStart("assignees");
        g.writeEndArray();
        g.writeNullField("milestone");
        g.writeNumberField("comments", pr.comments());
        g.writeStringField("created_at", JsonBytes.github(pr.createdAt()));
        g.writeStringField("updated_at", JsonBytes.github(pr.updatedAt()));
        JsonBytes.field(g, "closed_at", JsonBytes.github(pr.closedAt()));
        g.writeStringField("author_association", "MEMBER");
        g.writeNullField("active_lock_reason");
        g.writeBooleanField("draft", pr.draft());
        g.writeObjectFieldStart("pull_request");
        g.writeStringField("url", api + "/pulls/" + pr.number());
        g.writeStringField("html_url", html + "/pull/" + pr.number());
        g.writeStringField("diff_url", html + "/pull/" + pr.number() + ".diff");
        g.writeStringField("patch_url", html + "/pull/" + pr.number() + ".patch");
        JsonBytes.field(g, "merged_at", JsonBytes.github(pr.mergedAt()));
        g.writeEndObject();
        g.writeStringField("body", pr.body());
        JsonBytes.field(g, "state_reason", pr.state().equals("closed") ? "completed" : null);
        g.writeEndObject();
    }

    private void writeRef(JsonGenerator g, DemoData.Repo repo, String ref, String sha) throws IOException {
        g.writeStartObject();
        g.writeStringField("label", org + ":" + ref);
        g.writeStringField("ref", ref);
        g.writeStringField("sha", sha);
        g.writeFieldName("user");
        writeUser(g, org, ORG_ID, "Organization");
        g.writeFieldName("repo");
        writeRepo(g, repo);
        g.writeEndObject();
    }

    private void writeRepo(JsonGenerator g, DemoData.Repo repo) throws IOException {
        g.writeStartObject();
        g.writeNumberField("id", repo.id());
        g.writeStringField("node_id", nodeId("010:Repository", repo.id()));
        g.writeStringField("name", repo.name());
        g.writeStringField("full_name", repo.fullName());
        g.writeBooleanField("private", true);
        g.writeFieldName("owner");
        writeUser(g, org, ORG_ID, "Organization");
        g.writeStringField("html_url", base + "/" + repo.fullName());
        g.writeNullField("description");
        g.writeBooleanField("fork", false);
        g.writeStringField("url", base + "/repos/" + repo.fullName());
        g.writeStringField("pulls_url", base + "/repos/" + repo.fullName() + "/pulls{/number}");
        g.writeStringField("default_branch", "main");
        g.writeStringField("visibility", "private");
        g.writeEndObject();
    }

    private void writeUser(JsonGenerator g, String login, long id, String type) throws IOException {
        g.writeStartObject();
        writeUserFields(g, login, id, type);
        g.writeEndObject();
    }

    private void writeUserFields(JsonGenerator g, String login, long id, String type) throws IOException {
        g.writeStringField("login", login);
        g.writeNumberField("id", id);
        g.writeStringField("node_id", nodeId(type.equals("User") ? "04:User" : "012:Organization", id));
        g.writeStringField("avatar_url", base + "/avatars/u/" + id + "?v=4");
        g.writeStringField("gravatar_id", "");
        g.writeStringField("url", base + "/users/" + login);
        g.writeStringField("html_url", base + "/" + login);
        g.writeStringField("type", type);
        g.writeBooleanField("site_admin", false);
    }

    private void writeLabel(JsonGenerator g, DemoData.Repo repo, String label) throws IOException {
        long id = 208_045_000L + Math.abs(label.hashCode() % 1000);
        g.writeStartObject();
        g.writeNumberField("id", id);
        g.writeStringField("node_id", nodeId("05:Label", id));
        g.writeStringField("url", base + "/repos/" + repo.fullName() + "/labels/" + label);
        g.writeStringField("name", label);
        g.writeNullField("description");
        g.writeStringField("color", "%06x".formatted(label.hashCode() & 0xffffff));
        g.writeBooleanField("default", label.equals("bug") || label.equals("enhancement"));
        g.writeEndObject();
    }

    private void writeTeam(JsonGenerator g, String slug) throws IOException {
        long id = TEAM_ID_BASE + DemoData.TEAMS.indexOf(slug);
        g.writeStartObject();
        g.writeNumberField("id", id);
        g.writeStringField("node_id", nodeId("04:Team", id));
        g.writeStringField("url", base + "/organizations/" + ORG_ID + "/team/" + id);
        g.writeStringField("html_url", base + "/orgs/" + org + "/teams/" + slug);
        g.writeStringField("name", slug.substring(0, 1).toUpperCase(Locale.ROOT) + slug.substring(1));
        g.writeStringField("slug", slug);
        g.writeStringField("description", "The " + slug + " team");
        g.writeStringField("privacy", "closed");
        g.writeStringField("notification_setting", "notifications_enabled");
        g.writeStringField("permission", "push");
        g.writeStringField("members_url", base + "/organizations/" + ORG_ID + "/team/" + id + "/members{/member}");
        g.writeStringField("repositories_url", base + "/organizations/" + ORG_ID + "/team/" + id + "/repos");
        g.writeNullField("parent");
        g.writeEndObject();
    }

    /** 1-3 commits authored by the PR author; the last one is the head commit. */
    private void writeCommits(JsonGenerator g, DemoData.PullRequest pr) throws IOException {
        DemoData.Person author = data.person(pr.author()).orElseThrow();
        int count = 1 + (int) (pr.id() / 13 % 3);
        String api = base + "/repos/" + pr.repo().fullName();
        String parent = sha(pr.headSha(), 3);
        long span = Math.max(60, Duration.between(pr.createdAt(), pr.updatedAt()).toSeconds());
        g.writeStartArray();
        for (int c = 0; c < count; c++) {
            String sha = c == count - 1 ? pr.headSha() : sha(pr.headSha(), 11 + c);
            Instant at = pr.createdAt().minusSeconds(600).plusSeconds(span * c / count);
            String message = c == count - 1 ? pr.title() : c == 0 ? "WIP" : "Address review comments";
            g.writeStartObject();
            g.writeStringField("sha", sha);
            g.writeStringField("node_id", Base64.getEncoder().encodeToString(("04:Commit" + sha).getBytes(
                    StandardCharsets.UTF_8)));
            g.writeObjectFieldStart("commit");
            for (String role : List.of("author", "committer")) {
                g.writeObjectFieldStart(role);
                g.writeStringField("name", author.name());
                g.writeStringField("email", author.email());
                g.writeStringField("date", JsonBytes.github(at));
                g.writeEndObject();
            }
            g.writeStringField("message", message);
            g.writeObjectFieldStart("tree");
            g.writeStringField("sha", sha(sha, 5));
            g.writeStringField("url", api + "/git/trees/" + sha(sha, 5));
            g.writeEndObject();
            g.writeStringField("url", api + "/git/commits/" + sha);
            g.writeNumberField("comment_count", 0);
            g.writeEndObject();
            g.writeStringField("url", api + "/commits/" + sha);
            g.writeStringField("html_url", base + "/" + pr.repo().fullName() + "/commit/" + sha);
            g.writeStringField("comments_url", api + "/commits/" + sha + "/comments");
            g.writeFieldName("author");
            writeUser(g, author.login(), author.githubId(), "User");
            g.writeFieldName("committer");
            writeUser(g, author.login(), author.githubId(), "User");
            g.writeArrayFieldStart("parents");
            g.writeStartObject();
            g.writeStringField("sha", parent);
            g.writeStringField("url", api + "/commits/" + parent);
            g.writeStringField("html_url", base + "/" + pr.repo().fullName() + "/commit/" + parent);
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
            parent = sha;
        }
        g.writeEndArray();
    }

    // ---- gate answers --------------------------------------------------------------------------------------

    @Override
    public Reply throttled(int status, int retryAfterS) {
        return error(status, "You have exceeded a secondary rate limit. Please wait a few minutes before you try"
                + " again.", "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
                + "#about-secondary-rate-limits").header("Retry-After", String.valueOf(retryAfterS));
    }

    @Override
    public Reply quotaExhausted(Quota.Snapshot quota, long nowEpochSecond) {
        return error(403, "API rate limit exceeded for user ID 1.",
                "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api");
    }

    @Override
    public Reply error(int status) {
        return error(status, status == 503 ? "Service Unavailable" : "Server Error", DOCS);
    }

    @Override
    public void quotaHeaders(Quota.Snapshot q, Reply reply) {
        reply.header("x-ratelimit-limit", String.valueOf(q.limit()))
                .header("x-ratelimit-remaining", String.valueOf(q.remaining()))
                .header("x-ratelimit-used", String.valueOf(q.used()))
                .header("x-ratelimit-reset", String.valueOf(q.resetEpochSecond()))
                .header("x-ratelimit-resource", "core");
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static Reply ok(byte[] body) {
        return Reply.json(200, body)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Cache-Control", cacheControl())
                .header("X-GitHub-Media-Type", "github.v3; format=json");
    }

    private static String cacheControl() {
        return "private, max-age=60, s-maxage=60";
    }

    private static Reply error(int status, String message, String docs) {
        return Reply.json(status, JsonBytes.render(g -> {
            g.writeStartObject();
            g.writeStringField("message", message);
            g.writeStringField("documentation_url", docs);
            g.writeStringField("status", String.valueOf(status));
            g.writeEndObject();
        })).header("Content-Type", "application/json; charset=utf-8");
    }

    private static Reply notFound() {
        return error(404, "Not Found", DOCS);
    }

    /** GitHub's 422 for a query parameter outside its allowed values. */
    private static Reply invalid(String field, String value) {
        return invalid(field, value, "PullRequest", PULLS_DOCS);
    }

    private static Reply invalid(String field, String value, String resource, String docs) {
        return Reply.json(422, JsonBytes.render(g -> {
            g.writeStartObject();
            g.writeStringField("message", "Validation Failed");
            g.writeArrayFieldStart("errors");
            g.writeStartObject();
            g.writeStringField("resource", resource);
            g.writeStringField("field", field);
            g.writeStringField("value", value);
            g.writeStringField("code", "invalid");
            g.writeEndObject();
            g.writeEndArray();
            g.writeStringField("documentation_url", docs);
            g.writeStringField("status", "422");
            g.writeEndObject();
        })).header("Content-Type", "application/json; charset=utf-8");
    }

    private static String param(ServerRequest req, String name, String dflt) {
        return req.query().contains(name) ? req.query().get(name) : dflt;
    }

    /** The integer value, the default when absent, or null when present but not an integer. */
    private static Integer intParam(ServerRequest req, String name, int dflt) {
        String raw = param(req, name, null);
        if (raw == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String nodeId(String prefix, long id) {
        return Base64.getEncoder().encodeToString((prefix + id).getBytes(StandardCharsets.UTF_8));
    }

    /** A different, stable 40-hex sha derived from another one. */
    private static String sha(String from, int salt) {
        long a = from.hashCode() * 0x9E3779B97F4A7C15L + salt;
        long b = Long.rotateLeft(a, 23) ^ 0x5DEECE66DL * salt;
        return "%016x%016x%08x".formatted(a, b, (int) (a ^ b));
    }

    private static long fnv(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h = (h ^ b) * 0x100000001b3L;
        }
        return h;
    }
}
