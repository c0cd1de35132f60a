package io.omnisql.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * Jira Cloud ({@code /rest/api/3/search/jql}, token paging) and Data Center ({@code /rest/api/2/search},
 * startAt/total) search over one {@link DemoData} generation. Each issue's envelope and each of its fields are
 * rendered once per API version; a page picks the requested field fragments and concatenates them.
 */
final class JiraApi implements Api {

    /** Field ids in output order; the index is the field's bit in a selection mask. */
    private static final List<String> FIELDS = List.of("summary", "status", "assignee", "project", "created",
            "updated", "customfield_10050", "customfield_10060");
    private static final int ALL_FIELDS = (1 << FIELDS.size()) - 1;
    private static final int CLOUD_MAX_RESULTS = 100;
    private static final int DC_MAX_RESULTS = 1000;
    private static final int MAX_CACHED_QUERIES = 256;
    private static final Map<String, String> PROJECT_NAMES = Map.of("MOB", "Mobile", "WEB", "Web", "PLAT", "Platform");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /**
     * GET /rest/api/3/field as Jira answers it: system and custom fields with their display names. Names are not
     * unique on a real site (two "Story Points" fields from two apps), so clients must resolve them with care.
     */
    private static final byte[] FIELD_LIST = fieldList();

    /** Pre-rendered JSON of one issue for one API version. */
    private record Rendered(byte[] idOnly, byte[] envelope, byte[][] fields) {
    }

    /** One search request, whichever API and method it came in by. */
    private record Search(String jql, int fieldMask, boolean envelope, Integer maxResults, String pageToken,
                          Integer startAt) {
    }

    private final DemoData data;
    private final String base;
    private final InstantSource clock;
    private final Rendered[] v2;
    private final Rendered[] v3;
    private final Map<String, Integer> byKey = new HashMap<>();
    private final Map<String, String> logins = new HashMap<>();
    private final Map<String, int[]> results = new ConcurrentHashMap<>();
    private final JqlInterpreter.Context context;
    private final List<String> projects;

    JiraApi(DemoData data, URI baseUrl, InstantSource clock) {
        this.data = data;
        this.projects = data.projects();
        this.base = baseUrl.toString();
        this.clock = clock;
        List<DemoData.Issue> issues = data.issues();
        v2 = new Rendered[issues.size()];
        v3 = new Rendered[issues.size()];
        for (int i = 0; i < issues.size(); i++) {
            v2[i] = render(issues.get(i), base + "/rest/api/2");
            v3[i] = render(issues.get(i), base + "/rest/api/3");
            byKey.put(issues.get(i).key(), i);
            byKey.put(issues.get(i).id(), i);
        }
        for (DemoData.Person p : data.people()) {
            logins.put(p.accountId().toLowerCase(Locale.ROOT), p.login());
            if (p.jiraEmailVisible()) {
                logins.put(p.email().toLowerCase(Locale.ROOT), p.login());
            }
        }
        context = new JqlInterpreter.Context() {
            @Override
            public boolean projectExists(String key) {
                return projects.stream().anyMatch(key::equalsIgnoreCase);
            }

            @Override
            public String userLogin(String accountIdOrEmail) {
                return logins.get(accountIdOrEmail.toLowerCase(Locale.ROOT));
            }

            @Override
            public boolean teamExists(String value) {
                return DemoData.TEAMS.stream().anyMatch(value::equalsIgnoreCase);
            }

            @Override
            public boolean issueExists(String key) {
                return byKey.containsKey(key.toUpperCase(Locale.ROOT)) && !key.matches("\\d+");
            }

            @Override
            public Instant now() {
                return JiraApi.this.clock.instant();
            }

            @Override
            public String displayName(String login) {
                return data.person(login).map(DemoData.Person::name).orElse(login);
            }
        };
    }

    static Counters.Kind kindOf(ServerRequest req) {
        return switch (req.path().path()) {
            case "/rest/api/3/search/jql" -> Counters.Kind.JIRA_CLOUD_SEARCH;
            case "/rest/api/2/search" -> Counters.Kind.JIRA_DC_SEARCH;
            case "/rest/api/3/field", "/rest/api/2/field" -> Counters.Kind.JIRA_FIELD_LISTS;
            default -> null;
        };
    }

    // ---- routing -------------------------------------------------------------------------------------------

    @Override
    public Reply handle(ServerRequest req) {
        String path = req.path().path();
        Method method = req.prologue().method();
        boolean get = method.equals(Method.GET);
        if (!get && !method.equals(Method.POST)) {
            return error(405, "Method not allowed.");
        }
        try {
            return switch (path) {
                case "/rest/api/3/search/jql" -> cloudSearch(search(req, get, true));
                case "/rest/api/2/search" -> dcSearch(search(req, get, false));
                case "/rest/api/3/field", "/rest/api/2/field" -> get ? ok(FIELD_LIST) : error(405, "Method not allowed.");
                case "/rest/api/3/search" -> error(410, "The requested API has been removed. Please migrate to the"
                        + " /rest/api/3/search/jql API. A full migration guideline is available at"
                        + " https://developer.atlassian.com/changelog/#CHANGE-2046");
                default -> get && path.matches("/rest/api/[23]/issue/[^/]+") ? issue(req, path) : error(404,
                        "No resource found for " + path + ".");
            };
        } catch (JqlInterpreter.JqlException e) {
            return error(400, e.getMessage());
        }
    }

    private Reply issue(ServerRequest req, String path) {
        Integer index = byKey.get(path.substring(path.lastIndexOf('/') + 1).toUpperCase(Locale.ROOT));
        if (index == null) {
            return error(404, "Issue does not exist or you do not have permission to see it.");
        }
        int mask = req.query().contains("fields") ? fieldMask(req.query().all("fields")) : ALL_FIELDS;
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        writeIssue(out, (path.startsWith("/rest/api/2/") ? v2 : v3)[index], mask, true);
        return ok(out.toByteArray());
    }

    /** Reads parameters from the query string (GET) or the JSON body (POST). */
    private Search search(ServerRequest req, boolean get, boolean cloud) {
        if (get) {
            var q = req.query();
            boolean hasFields = q.contains("fields");
            int mask = hasFields ? fieldMask(q.all("fields")) : cloud ? 0 : ALL_FIELDS;
            return new Search(q.contains("jql") ? q.get("jql") : "", mask, !cloud || hasFields && !idOnly(q.all("fields")),
                    integer(q.contains("maxResults") ? q.get("maxResults") : null, "maxResults"),
                    q.contains("nextPageToken") ? q.get("nextPageToken") : null,
                    integer(q.contains("startAt") ? q.get("startAt") : null, "startAt"));
        }
        JsonNode body;
        try {
            body = MAPPER.readTree(req.content().as(String.class));
        } catch (IOException e) {
            throw new JqlInterpreter.JqlException("Invalid request payload. Refer to the REST API documentation and try again.");
        }
        if (body == null || !body.isObject()) {
            throw new JqlInterpreter.JqlException("Invalid request payload. Refer to the REST API documentation and try again.");
        }
        List<String> fields = new ArrayList<>();
        JsonNode f = body.get("fields");
        if (f != null && f.isArray()) {
            f.forEach(n -> fields.add(n.asText()));
        } else if (f != null && f.isTextual()) {
            fields.add(f.asText());
        }
        boolean hasFields = f != null && !f.isNull();
        int mask = hasFields ? fieldMask(fields) : cloud ? 0 : ALL_FIELDS;
        return new Search(body.path("jql").asText(""), mask, !cloud || hasFields && !idOnly(fields),
                body.hasNonNull("maxResults") ? integer(body.get("maxResults").asText(), "maxResults") : null,
                body.hasNonNull("nextPageToken") ? body.get("nextPageToken").asText() : null,
                body.hasNonNull("startAt") ? integer(body.get("startAt").asText(), "startAt") : null);
    }

    // ---- search --------------------------------------------------------------------------------------------

    private Reply cloudSearch(Search s) {
        JqlInterpreter.Query query = JqlInterpreter.parse(s.jql(), context);
        if (!query.bounded()) {
            throw new JqlInterpreter.JqlException("Unbounded JQL queries are not allowed here. Please add a search restriction"
                    + " to your query.");
        }
        int[] matches = matches(s.jql(), query);
        int from = s.pageToken() == null ? 0 : offset(s.pageToken(), s.jql());
        int size = Math.clamp(s.maxResults() == null ? 50 : s.maxResults(), 1, CLOUD_MAX_RESULTS);
        int to = Math.min(matches.length, from + size);
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + (to - from) * (s.envelope() ? 1200 : 20));
        out.writeBytes(ascii("{\"issues\":"));
        writeIssues(out, v3, matches, from, to, s);
        if (to < matches.length) {
            out.writeBytes(ascii(",\"nextPageToken\":\"" + token(to, s.jql()) + "\",\"isLast\":false}"));
        } else {
            out.writeBytes(ascii(",\"isLast\":true}"));
        }
        return ok(out.toByteArray());
    }

    private Reply dcSearch(Search s) {
        JqlInterpreter.Query query = JqlInterpreter.parse(s.jql(), context);
        int[] matches = matches(s.jql(), query);
        int startAt = s.startAt() == null ? 0 : s.startAt();
        if (startAt < 0) {
            throw new JqlInterpreter.JqlException("The value of startAt must be zero or greater.");
        }
        int size = Math.clamp(s.maxResults() == null ? 50 : s.maxResults(), 0, DC_MAX_RESULTS);
        int from = Math.min(matches.length, startAt);
        int to = Math.min(matches.length, from + size);
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + (to - from) * 1200);
        out.writeBytes(ascii("{\"expand\":\"schema,names\",\"startAt\":" + startAt + ",\"maxResults\":" + size
                + ",\"total\":" + matches.length + ",\"issues\":"));
        writeIssues(out, v2, matches, from, to, s);
        out.write('}');
        return ok(out.toByteArray());
    }

    private int[] matches(String jql, JqlInterpreter.Query query) {
        int[] hit = query.relative() ? null : results.get(jql);
        if (hit != null) {
            return hit;
        }
        List<DemoData.Issue> issues = data.issues();
        int[] out = IntStream.range(0, issues.size())
                .filter(i -> query.where().test(issues.get(i)))
                .boxed()
                .sorted((a, b) -> query.order().compare(issues.get(a), issues.get(b)))
                .mapToInt(Integer::intValue)
                .toArray();
        if (!query.relative()) {
            if (results.size() >= MAX_CACHED_QUERIES) {
                results.clear();
            }
            results.put(jql, out);
        }
        return out;
    }

    /** Opaque to clients; binds the offset to the JQL it was issued for. */
    private static String token(int offset, String jql) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                (offset + ":" + Integer.toHexString(jql.hashCode())).getBytes(StandardCharsets.UTF_8));
    }

    private static int offset(String token, String jql) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(":");
            if (parts.length == 2 && parts[1].equals(Integer.toHexString(jql.hashCode()))) {
                return Integer.parseInt(parts[0]);
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error below
        }
        throw new JqlInterpreter.JqlException("The provided next page token is invalid or expired.");
    }

    private static void writeIssues(ByteArrayOutputStream out, Rendered[] rendered, int[] matches, int from, int to,
                                    Search s) {
        out.write('[');
        for (int i = from; i < to; i++) {
            if (i > from) {
                out.write(',');
            }
            writeIssue(out, rendered[matches[i]], s.fieldMask(), s.envelope());
        }
        out.write(']');
    }

    private static void writeIssue(ByteArrayOutputStream out, Rendered r, int mask, boolean envelope) {
        if (!envelope) {
            out.writeBytes(r.idOnly());
            return;
        }
        out.writeBytes(r.envelope());
        out.writeBytes(ascii(",\"fields\":{"));
        boolean first = true;
        for (int f = 0; f < FIELDS.size(); f++) {
            if ((mask & (1 << f)) != 0) {
                if (!first) {
                    out.write(',');
                }
                out.writeBytes(r.fields()[f]);
                first = false;
            }
        }
        out.writeBytes(ascii("}}"));
    }

    /** Jira's fields parameter: names, customfield ids, *all / *navigable, and -name exclusions; unknown names are ignored. */
    private static int fieldMask(List<String> params) {
        int mask = 0;
        for (String param : params) {
            for (String raw : param.split(",")) {
                String name = raw.trim();
                if (name.equals("*all") || name.equals("*navigable")) {
                    mask = ALL_FIELDS;
                } else if (name.startsWith("-")) {
                    int f = FIELDS.indexOf(name.substring(1));
                    mask &= f < 0 ? ~0 : ~(1 << f);
                } else if (FIELDS.contains(name)) {
                    mask |= 1 << FIELDS.indexOf(name);
                }
            }
        }
        return mask;
    }

    /** True when the fields parameter asks for nothing but the id, which Cloud answers with bare {"id"} objects. */
    private static boolean idOnly(List<String> params) {
        return params.stream().flatMap(p -> Arrays.stream(p.split(","))).map(String::trim)
                .allMatch(n -> n.isEmpty() || n.equals("id"));
    }

    private static Integer integer(String raw, String name) {
        if (raw == null) {
            return null;
        }
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new JqlInterpreter.JqlException("The value '" + raw + "' is invalid for the parameter '" + name + "'.");
        }
    }

    // ---- rendering -----------------------------------------------------------------------------------------

    private Rendered render(DemoData.Issue issue, String api) {
        byte[] idOnly = ascii("{\"id\":\"" + issue.id() + "\"}");
        byte[] envelope = inner(JsonBytes.render(g -> {
            g.writeStartObject();
            g.writeStringField("id", issue.id());
            g.writeStringField("self", api + "/issue/" + issue.id());
            g.writeStringField("key", issue.key());
            g.writeEndObject();
        }));
        envelope = concat(new byte[]{'{'}, envelope);
        byte[][] fields = new byte[FIELDS.size()][];
        for (int f = 0; f < FIELDS.size(); f++) {
            String name = FIELDS.get(f);
            fields[f] = inner(JsonBytes.render(g -> {
                g.writeStartObject();
                g.writeFieldName(name);
                writeField(g, name, issue, api);
                g.writeEndObject();
            }));
        }
        return new Rendered(idOnly, envelope, fields);
    }

    private void writeField(JsonGenerator g, String name, DemoData.Issue issue, String api) throws IOException {
        switch (name) {
            case "summary" -> g.writeString(issue.summary());
            case "status" -> writeStatus(g, issue.status(), api);
            case "assignee" -> writeUser(g, issue.assignee(), api);
            case "project" -> {
                int idx = projects.indexOf(issue.project());
                g.writeStartObject();
                g.writeStringField("self", api + "/project/" + (10_000 + idx));
                g.writeStringField("id", String.valueOf(10_000 + idx));
                g.writeStringField("key", issue.project());
                g.writeStringField("name", PROJECT_NAMES.getOrDefault(issue.project(), issue.project()));
                g.writeStringField("projectTypeKey", "software");
                g.writeBooleanField("simplified", false);
                g.writeEndObject();
            }
            case "created" -> g.writeString(JsonBytes.jira(issue.created()));
            case "updated" -> g.writeString(JsonBytes.jira(issue.updated()));
            case "customfield_10050" -> {
                if (issue.branch() == null) {
                    g.writeNull();
                } else {
                    g.writeString(issue.branch());
                }
            }
            default -> {
                if (issue.team() == null) {
                    g.writeNull();
                } else {
                    String id = String.valueOf(10_100 + DemoData.TEAMS.indexOf(issue.team()));
                    g.writeStartObject();
                    g.writeStringField("self", api + "/customFieldOption/" + id);
                    g.writeStringField("value", issue.team());
                    g.writeStringField("id", id);
                    g.writeEndObject();
                }
            }
        }
    }

    private static void writeStatus(JsonGenerator g, String status, String api) throws IOException {
        int idx = DemoData.STATUSES.indexOf(status);
        String id = String.valueOf(new int[]{10_000, 3, 10_001, 10_002, 10_003}[idx]);
        // statusCategory: To Do -> new, In Progress/In Review -> indeterminate, Done/Won't fix -> done
        int cat = idx == 0 ? 2 : idx <= 2 ? 4 : 3;
        String catKey = cat == 2 ? "new" : cat == 4 ? "indeterminate" : "done";
        g.writeStartObject();
        g.writeStringField("self", api + "/status/" + id);
        g.writeStringField("description", "");
        g.writeStringField("iconUrl", api.substring(0, api.indexOf("/rest/")) + "/images/icons/statuses/generic.png");
        g.writeStringField("name", status);
        g.writeStringField("id", id);
        g.writeObjectFieldStart("statusCategory");
        g.writeStringField("self", api + "/statuscategory/" + cat);
        g.writeNumberField("id", cat);
        g.writeStringField("key", catKey);
        g.writeStringField("colorName", cat == 2 ? "blue-gray" : cat == 4 ? "yellow" : "green");
        g.writeStringField("name", cat == 2 ? "To Do" : cat == 4 ? "In Progress" : "Done");
        g.writeEndObject();
        g.writeEndObject();
    }

    private void writeUser(JsonGenerator g, String login, String api) throws IOException {
        if (login == null) {
            g.writeNull();
            return;
        }
        DemoData.Person p = data.person(login).orElseThrow();
        g.writeStartObject();
        g.writeStringField("self", api + "/user?accountId=" + p.accountId());
        g.writeStringField("accountId", p.accountId());
        JsonBytes.field(g, "emailAddress", p.jiraEmailVisible() ? p.email() : null);
        g.writeStringField("displayName", p.name());
        g.writeBooleanField("active", true);
        g.writeStringField("timeZone", "Etc/UTC");
        g.writeStringField("accountType", "atlassian");
        g.writeEndObject();
    }

    // ---- gate answers --------------------------------------------------------------------------------------

    @Override
    public Reply throttled(int status, int retryAfterS) {
        return error(status, "Rate limit exceeded.").header("Retry-After", String.valueOf(retryAfterS))
                .header("RateLimit-Reason", "jira-burst-based");
    }

    @Override
    public Reply quotaExhausted(Quota.Snapshot quota, long nowEpochSecond) {
        return error(429, "Rate limit exceeded.")
                .header("Retry-After", String.valueOf(Math.max(1, quota.resetEpochSecond() - nowEpochSecond)))
                .header("RateLimit-Reason", "jira-quota-tenant-based");
    }

    @Override
    public Reply error(int status) {
        return error(status, status == 503 ? "Service Unavailable" : "Internal server error.");
    }

    @Override
    public void quotaHeaders(Quota.Snapshot q, Reply reply) {
        reply.header("X-RateLimit-Limit", String.valueOf(q.limit()))
                .header("X-RateLimit-Remaining", String.valueOf(q.remaining()))
                .header("X-RateLimit-Reset", Instant.ofEpochSecond(q.resetEpochSecond()).toString());
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static Reply ok(byte[] body) {
        return Reply.json(200, body).header("Content-Type", "application/json;charset=UTF-8");
    }

    private static byte[] fieldList() {
        String[][] system = {{"summary", "Summary", "string"}, {"status", "Status", "status"},
                {"assignee", "Assignee", "user"}, {"project", "Project", "project"}, {"created", "Created", "datetime"},
                {"updated", "Updated", "datetime"}, {"issuekey", "Key", "issuekey"}};
        String[][] custom = {{"10050", "Branch", "string", "com.atlassian.jira.plugin.system.customfieldtypes:textfield"},
                {"10060", "Team", "option", "com.atlassian.jira.plugin.system.customfieldtypes:select"},
                {"10070", "Story Points", "number", "com.atlassian.jira.plugin.system.customfieldtypes:float"},
                {"10071", "Story Points", "number", "com.pyxis.greenhopper.jira:jsw-story-points"}};
        return JsonBytes.render(g -> {
            g.writeStartArray();
            for (String[] f : system) {
                g.writeStartObject();
                g.writeStringField("id", f[0]);
                g.writeStringField("key", f[0]);
                g.writeStringField("name", f[1]);
                g.writeBooleanField("custom", false);
                g.writeBooleanField("orderable", true);
                g.writeBooleanField("navigable", true);
                g.writeBooleanField("searchable", true);
                g.writeArrayFieldStart("clauseNames");
                g.writeString(f[0].equals("issuekey") ? "key" : f[0]);
                g.writeEndArray();
                g.writeObjectFieldStart("schema");
                g.writeStringField("type", f[2]);
                g.writeStringField("system", f[0]);
                g.writeEndObject();
                g.writeEndObject();
            }
            for (String[] f : custom) {
                g.writeStartObject();
                g.writeStringField("id", "customfield_" + f[0]);
                g.writeStringField("key", "customfield_" + f[0]);
                g.writeStringField("name", f[1]);
                g.writeBooleanField("custom", true);
                g.writeBooleanField("orderable", true);
                g.writeBooleanField("navigable", true);
                g.writeBooleanField("searchable", true);
                g.writeArrayFieldStart("clauseNames");
                g.writeString("cf[" + f[0] + "]");
                g.writeString(f[1]);
                g.writeEndArray();
                g.writeObjectFieldStart("schema");
                g.writeStringField("type", f[2]);
                g.writeStringField("custom", f[3]);
                g.writeNumberField("customId", Integer.parseInt(f[0]));
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    private static Reply error(int status, String message) {
        return Reply.json(status, JsonBytes.render(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("errorMessages");
            g.writeString(message);
            g.writeEndArray();
            g.writeObjectFieldStart("errors");
            g.writeEndObject();
            g.writeEndObject();
        })).header("Content-Type", "application/json;charset=UTF-8");
    }

    /** The members of a rendered one-field-or-more object, without its braces. */
    private static byte[] inner(byte[] object) {
        return Arrays.copyOfRange(object, 1, object.length - 1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
