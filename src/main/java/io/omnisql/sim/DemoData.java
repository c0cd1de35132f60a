package io.omnisql.sim;

import java.text.Normalizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The demo organisation shared by both simulators: people in teams, pull requests, Jira issues. Deterministic for a
 * given seed and sizes; timestamps spread over two years before the fixed {@link #ANCHOR}, never "now".
 * About 60% of pull requests have a head branch {@code feature/<KEY>-<slug>} that equals the linked issue's
 * {@code customfield_10050}, and their author is the issue's assignee, so both e-mail and branch joins work.
 */
public final class DemoData {

    /** The instant all demo timestamps lie before. */
    public static final Instant ANCHOR = Instant.parse("2025-06-30T12:00:00Z");
    public static final List<String> TEAMS = List.of("mobile", "web", "platform");
    public static final List<String> STATUSES = List.of("To Do", "In Progress", "In Review", "Done", "Won't \"fix\"");

    public record Person(String login, String name, String email, String team, long githubId, String accountId,
                         boolean publicEmail, boolean jiraEmailVisible) {
    }

    public record Repo(String name, String fullName, long id, String team) {
    }

    /** A pull request; {@code merged} means closed with {@code mergedAt}; {@code jiraKey} is null when unlinked. */
    public record PullRequest(long id, Repo repo, int number, String state, String title, String body, String author,
                              Instant createdAt, Instant updatedAt, Instant closedAt, Instant mergedAt, boolean draft,
                              String headRef, String headSha, String baseRef, List<String> labels,
                              List<String> requestedTeams, List<String> requestedReviewers, int comments,
                              String jiraKey) {
    }

    /** A Jira issue; {@code assignee} is a login (null = unassigned), {@code team} null = field empty. */
    public record Issue(String id, String key, String project, int number, String summary, String status,
                        String assignee, Instant created, Instant updated, String branch, String team) {
    }

    private static final String[][] PEOPLE = {
            // login, display name, team
            {"amelia-r", "Amelia Reyes", "mobile"}, {"kofi-mensah", "Kofi Mensah", "mobile"},
            {"mkrystof", "Mia Krystof", "mobile"}, {"htanaka", "Hiroshi Tanaka", "mobile"},
            {"priya-n", "Priya Natarajan", "mobile"}, {"lucasoliveira", "Lucas Oliveira", "mobile"},
            {"sofia-lindqvist", "Sofia Lindqvist", "mobile"}, {"tnowak", "Tomasz Nowak", "mobile"},
            {"aisha-b", "Aisha Bello", "mobile"}, {"jweber-dev", "Jonas Weber", "mobile"},
            {"chloemartin", "Chloé Martin", "mobile"}, {"diego-alv", "Diego Álvarez", "mobile"},
            {"emmaj", "Emma Johansson", "web"}, {"ravi-s", "Ravi Shankar", "web"},
            {"nhaddad", "Nadia Haddad", "web"}, {"obrown", "Oliver Brown", "web"},
            {"yuki-sato", "Yuki Sato", "web"}, {"fzahra", "Fatima Zahra", "web"},
            {"liam-oconnor", "Liam O'Connor", "web"}, {"anacosta", "Ana Costa", "web"},
            {"mateo-r", "Mateo Rossi", "web"}, {"gracekim", "Grace Kim", "web"},
            {"ipetrov", "Ivan Petrov", "web"}, {"zoe-dubois", "Zoé Dubois", "web"},
            {"nfischer", "Noah Fischer", "platform"}, {"leila-a", "Leila Ahmadi", "platform"},
            {"eclarke", "Ethan Clarke", "platform"}, {"marta-k", "Marta Kowalska", "platform"},
            {"sokafor", "Samuel Okafor", "platform"}, {"ingrid-berg", "Ingrid Berg", "platform"},
            {"chenwei", "Chen Wei", "platform"}, {"lucia-fdz", "Lucía Fernández", "platform"},
            {"arjun-m", "Arjun Mehta", "platform"}, {"hschulz", "Hannah Schulz", "platform"},
            {"omar-farouk", "Omar Farouk", "platform"}, {"epopescu", "Elena Popescu", "platform"},
    };

    private static final Map<String, List<String>> TOPICS = Map.of(
            "mobile", List.of("login screen", "offline sync", "push notifications", "biometric unlock",
                    "image cache", "onboarding flow", "deep links", "settings page", "dark mode", "crash reporter"),
            "web", List.of("checkout page", "search results", "cookie banner", "dashboard charts", "profile form",
                    "SSR hydration", "CSS bundle", "password reset", "invoice PDF export", "accessibility audit"),
            "platform", List.of("rate limiter", "token refresh", "Postgres pool", "Kafka consumer lag",
                    "Terraform modules", "CI pipeline", "TLS certificate rotation", "audit log",
                    "feature flag service", "metrics exporter"));
    private static final List<String> VERBS = List.of("Fix crash in", "Add tests for", "Improve performance of",
            "Refactor", "Remove legacy code from", "Investigate flaky", "Support RTL in", "Migrate", "Document",
            "Harden");
    /** Summaries that exercise quoting and escaping in JQL and JSON. */
    private static final List<String> AWKWARD = List.of("Handle \"Remember me\" on the %s",
            "Don't retry 4xx responses in the %s", "Escape backslashes (C:\\temp) in the %s");
    private static final List<String> LABELS = List.of("bug", "enhancement", "dependencies", "security",
            "documentation", "performance", "needs-review");
    private static final List<String> CHORES = List.of("chore/bump-deps", "fix/flaky-test", "refactor/cleanup",
            "docs/readme", "ci/cache-warmup");

    private final String org;
    private final List<String> projects;
    private final List<Person> people;
    private final Map<String, Person> byLogin;
    private final List<Repo> repos;
    private final List<PullRequest> pullRequests;
    private final List<Issue> issues;

    private DemoData(String org, List<String> projects, List<Person> people, List<Repo> repos,
                     List<PullRequest> pullRequests, List<Issue> issues) {
        this.org = org;
        this.projects = List.copyOf(projects);
        this.people = List.copyOf(people);
        this.byLogin = people.stream().collect(Collectors.toUnmodifiableMap(Person::login, Function.identity()));
        this.repos = List.copyOf(repos);
        this.pullRequests = List.copyOf(pullRequests);
        this.issues = List.copyOf(issues);
    }

    public static DemoData generate(SimulatorSettings settings) {
        return new Generator(settings).run();
    }

    /** The GitHub organisation owning every repository. */
    public String org() {
        return org;
    }

    /** The Jira project keys, in configured order. */
    public List<String> projects() {
        return projects;
    }

    public List<Person> people() {
        return people;
    }

    public Optional<Person> person(String login) {
        return Optional.ofNullable(byLogin.get(login));
    }

    public List<Repo> repos() {
        return repos;
    }

    /** All pull requests, ordered by creation (oldest first). */
    public List<PullRequest> pullRequests() {
        return pullRequests;
    }

    /** All issues, ordered by creation (oldest first); ids ascend in the same order. */
    public List<Issue> issues() {
        return issues;
    }

    /**
     * login -> team slug for every person; fixed (independent of seed and sizes), so a catalog can declare it.
     * GitHub carries no team on a pull request; this is the mapping a catalog declares instead.
     */
    public Map<String, String> authorTeams() {
        Map<String, String> out = new LinkedHashMap<>();
        people.forEach(p -> out.put(p.login(), p.team()));
        return out;
    }

    /** Lower-case, hyphenated words of a summary, at most five: "Fix crash in login screen" -> fix-crash-in-login-screen. */
    static String slug(String text) {
        String[] words = ascii(text).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", " ").trim().split(" ");
        return String.join("-", List.of(words).subList(0, Math.min(5, words.length)));
    }

    private static String ascii(String text) {
        return Normalizer.normalize(text, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    }

    /** One generation run; all randomness comes from one seeded stream consumed in a fixed order. */
    private static final class Generator {
        private final SimulatorSettings settings;
        private final SplittableRandom rnd;
        private final List<Person> people = new ArrayList<>();
        private final Map<String, List<Person>> byTeam = new HashMap<>();

        Generator(SimulatorSettings settings) {
            this.settings = settings;
            this.rnd = new SplittableRandom(settings.github().seed());
        }

        DemoData run() {
            for (int i = 0; i < PEOPLE.length; i++) {
                String login = PEOPLE[i][0];
                String name = PEOPLE[i][1];
                String email = ascii(name).toLowerCase(Locale.ROOT).replace("'", "").replace(' ', '.') + "@acme.example";
                // Fixed per person so the team mapping and privacy settings do not move with the seed.
                Person p = new Person(login, name, email, PEOPLE[i][2], 5_830_000L + 7919L * i,
                        accountId(login), i % 3 == 0, i % 5 != 2);
                people.add(p);
                byTeam.computeIfAbsent(p.team(), t -> new ArrayList<>()).add(p);
            }
            List<Repo> repos = repos();
            List<String> projects = settings.jira().projects();
            Map<String, String> projectTeam = new HashMap<>();
            for (int i = 0; i < projects.size(); i++) {
                projectTeam.put(projects.get(i), TEAMS.get(i % TEAMS.size()));
            }

            List<PrDraft> prs = new ArrayList<>();
            for (int i = 0; i < settings.github().pullRequests(); i++) {
                prs.add(pullRequest(repos.get(rnd.nextInt(repos.size()))));
            }
            prs.sort(Comparator.comparing((PrDraft d) -> d.created));

            List<IssueDraft> drafts = issues(prs, projects, projectTeam);
            List<Issue> issues = numberIssues(drafts);
            return new DemoData(settings.github().org(), projects, people, repos, numberPullRequests(prs), issues);
        }

        private List<Repo> repos() {
            List<Repo> out = new ArrayList<>();
            String org = settings.github().org();
            for (String name : settings.github().repos()) {
                String team = TEAMS.stream().filter(name::contains).findFirst().orElse("platform");
                out.add(new Repo(name, org + "/" + name, 600_000_000L + rnd.nextInt(90_000_000), team));
            }
            return out;
        }

        private PrDraft pullRequest(Repo repo) {
            PrDraft d = new PrDraft();
            d.repo = repo;
            d.author = pick(rnd.nextDouble() < 0.8 ? byTeam.get(repo.team()) : people);
            d.created = ANCHOR.minusSeconds(rnd.nextLong(730L * 86_400));
            double roll = rnd.nextDouble();
            d.state = roll < 0.15 ? "open" : "closed";
            d.merged = roll >= 0.15 && roll < 0.85;
            if (d.state.equals("open")) {
                d.draft = rnd.nextDouble() < 0.3;
                d.updated = capped(d.created.plusSeconds(rnd.nextLong(20L * 86_400)));
            } else {
                d.draft = false;
                d.closed = capped(d.created.plusSeconds(600 + rnd.nextLong(15L * 86_400)));
                d.updated = capped(d.closed.plusSeconds(rnd.nextLong(7_200)));
            }
            d.baseRef = rnd.nextDouble() < 0.9 ? "main" : "release/1." + rnd.nextInt(12);
            d.headSha = hex(rnd.nextLong()) + hex(rnd.nextLong()) + hex(rnd.nextLong()).substring(0, 8);
            List<String> labels = new ArrayList<>();
            for (int n = rnd.nextInt(3); n > 0; n--) {
                String l = LABELS.get(rnd.nextInt(LABELS.size()));
                if (!labels.contains(l)) {
                    labels.add(l);
                }
            }
            d.labels = labels;
            d.requestedTeams = d.state.equals("open") && rnd.nextBoolean() ? List.of(repo.team()) : List.of();
            List<String> reviewers = new ArrayList<>();
            if (d.state.equals("open")) {
                for (int n = rnd.nextInt(3); n > 0; n--) {
                    Person r = pick(byTeam.get(repo.team()));
                    if (!r.login().equals(d.author.login()) && !reviewers.contains(r.login())) {
                        reviewers.add(r.login());
                    }
                }
            }
            d.reviewers = reviewers;
            d.comments = rnd.nextInt(30);
            d.wantsLink = rnd.nextDouble() < 0.6;
            d.chore = CHORES.get(rnd.nextInt(CHORES.size()));
            d.summary = summary(repo.team());
            return d;
        }

        /** Issues linked to PRs first (their status follows the PR), then unlinked ones up to the requested count. */
        private List<IssueDraft> issues(List<PrDraft> prs, List<String> projects, Map<String, String> projectTeam) {
            int total = settings.jira().issues();
            Map<String, Integer> capacity = new HashMap<>();
            for (int i = 0; i < projects.size(); i++) {
                capacity.put(projects.get(i), total / projects.size() + (i < total % projects.size() ? 1 : 0));
            }
            List<IssueDraft> out = new ArrayList<>();
            for (PrDraft pr : prs) {
                String project = projects.stream().filter(p -> projectTeam.get(p).equals(pr.repo.team()))
                        .findFirst().orElse(null);
                // Keep a fifth of each project unlinked so every status has unlinked issues too.
                if (!pr.wantsLink || project == null || capacity.get(project) <= total / projects.size() / 5) {
                    continue;
                }
                capacity.merge(project, -1, Integer::sum);
                IssueDraft issue = new IssueDraft();
                issue.project = project;
                issue.summary = pr.summary;
                issue.assignee = pr.author.login();
                issue.created = pr.created.minusSeconds(rnd.nextLong(7L * 86_400));
                issue.updated = capped(pr.updated.plusSeconds(rnd.nextLong(86_400)));
                issue.status = linkedStatus(pr);
                issue.team = rnd.nextDouble() < 0.97 ? projectTeam.get(project) : null;
                issue.pr = pr;
                pr.issue = issue;
                out.add(issue);
            }
            for (String project : projects) {
                String team = projectTeam.get(project);
                for (int n = capacity.get(project); n > 0; n--) {
                    IssueDraft issue = new IssueDraft();
                    issue.project = project;
                    issue.summary = summary(team);
                    double roll = rnd.nextDouble();
                    issue.status = roll < 0.45 ? "To Do" : roll < 0.49 ? "In Progress" : roll < 0.52 ? "In Review"
                            : roll < 0.99 ? "Done" : STATUSES.get(4);
                    double who = rnd.nextDouble();
                    issue.assignee = who < 0.15 ? null : pick(who < 0.9 ? byTeam.get(team) : people).login();
                    issue.created = ANCHOR.minusSeconds(rnd.nextLong(730L * 86_400));
                    issue.updated = capped(issue.created.plusSeconds(rnd.nextLong(60L * 86_400)));
                    issue.team = rnd.nextDouble() < 0.97 ? team : null;
                    out.add(issue);
                }
            }
            return out;
        }

        private String linkedStatus(PrDraft pr) {
            if (pr.state.equals("open")) {
                return pr.draft || rnd.nextBoolean() ? "In Progress" : "In Review";
            }
            if (pr.merged) {
                return rnd.nextDouble() < 0.95 ? "Done" : "In Review";
            }
            return rnd.nextDouble() < 0.8 ? "To Do" : STATUSES.get(4);
        }

        /** Keys and ids follow creation order, like a real tracker. */
        private List<Issue> numberIssues(List<IssueDraft> drafts) {
            drafts.sort(Comparator.comparing((IssueDraft d) -> d.created));
            Map<String, Integer> next = new HashMap<>();
            List<Issue> out = new ArrayList<>(drafts.size());
            for (int i = 0; i < drafts.size(); i++) {
                IssueDraft d = drafts.get(i);
                int number = next.merge(d.project, 1, Integer::sum);
                d.key = d.project + "-" + number;
                String branch = d.pr == null ? null : "feature/" + d.key + "-" + slug(d.summary);
                d.branch = branch;
                out.add(new Issue(String.valueOf(10_000 + i), d.key, d.project, number, d.summary, d.status,
                        d.assignee, d.created, d.updated, branch, d.team));
            }
            return out;
        }

        private List<PullRequest> numberPullRequests(List<PrDraft> prs) {
            Map<String, Integer> next = new HashMap<>();
            List<PullRequest> out = new ArrayList<>(prs.size());
            for (int i = 0; i < prs.size(); i++) {
                PrDraft d = prs.get(i);
                int number = next.merge(d.repo.name(), 1, Integer::sum);
                String headRef = d.issue != null ? d.issue.branch : d.chore + "-" + number;
                String title = d.issue != null ? d.summary
                        : d.chore.startsWith("chore/bump") ? "Bump dependencies (batch " + number + ")"
                        : d.chore.substring(0, d.chore.indexOf('/')) + ": " + d.chore.substring(d.chore.indexOf('/') + 1)
                        .replace('-', ' ') + " #" + number;
                List<String> titles = settings.github().titles();
                if (i < titles.size()) {
                    // simulators.github.titles: literal titles, e.g. hostile markup for the console's tests.
                    title = titles.get(i);
                }
                String body = d.issue != null ? "Implements " + d.issue.key + ".\n\n" + d.summary + "."
                        : "Routine maintenance.";
                out.add(new PullRequest(1_400_000_000L + 13L * i, d.repo, number, d.state, title, body,
                        d.author.login(), d.created, d.updated, d.closed, d.merged ? d.closed : null, d.draft, headRef,
                        d.headSha, d.baseRef, List.copyOf(d.labels), d.requestedTeams, List.copyOf(d.reviewers),
                        d.comments, d.issue == null ? null : d.issue.key));
            }
            return out;
        }

        private String summary(String team) {
            List<String> topics = TOPICS.get(team);
            String topic = topics.get(rnd.nextInt(topics.size()));
            if (rnd.nextDouble() < 0.02) {
                return AWKWARD.get(rnd.nextInt(AWKWARD.size())).formatted(topic);
            }
            return VERBS.get(rnd.nextInt(VERBS.size())) + " " + topic;
        }

        private Person pick(List<Person> from) {
            return from.get(rnd.nextInt(from.size()));
        }

        private static Instant capped(Instant t) {
            return t.isAfter(ANCHOR) ? ANCHOR : t;
        }

        private static String hex(long v) {
            return String.format("%016x", v);
        }

        /** Atlassian-style 24-character account id derived from the login (stable across seeds). */
        private static String accountId(String login) {
            long h = login.hashCode() * 0x9E3779B97F4A7C15L;
            return "5b10" + hex(h) + hex(Long.rotateLeft(h, 17)).substring(0, 4);
        }
    }

    private static final class PrDraft {
        Repo repo;
        Person author;
        Instant created;
        Instant updated;
        Instant closed;
        String state;
        boolean merged;
        boolean draft;
        String baseRef;
        String headSha;
        List<String> labels;
        List<String> requestedTeams;
        List<String> reviewers;
        int comments;
        boolean wantsLink;
        String chore;
        String summary;
        IssueDraft issue;
    }

    private static final class IssueDraft {
        String project;
        String key;
        String summary;
        String status;
        String assignee;
        Instant created;
        Instant updated;
        String branch;
        String team;
        PrDraft pr;
    }
}
