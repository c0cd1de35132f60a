package io.omnisql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A real gateway on 127.0.0.1 (ephemeral port) over a private copy of the project's YAML files, with its
 * embedded simulators, for tests that go through HTTP like a user does.
 */
public final class GatewayHarness implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final Gateway gateway;
    private final HttpClient http = HttpClient.newHttpClient();

    private GatewayHarness(Path dir, Map<String, String> env) throws Exception {
        this.dir = dir;
        // The wire listener takes a free port too unless a test names one (PG_PORT=off disables it).
        this.gateway = Gateway.start(new Gateway.Options(dir, "127.0.0.1", 0, 100,
                name -> name.equals("PG_PORT") && !env.containsKey(name) ? "0" : env.get(name)));
    }

    /** Starts on the shipped configuration, each file first passed through {@code edit(fileName, text)}. */
    public static GatewayHarness start(FileEdit edit) throws Exception {
        return start(edit, Map.of());
    }

    public static GatewayHarness start(FileEdit edit, Map<String, String> env) throws Exception {
        Path dir = Files.createTempDirectory("omnisql-test");
        for (String f : new String[] {"catalog.yaml", "policies.yaml", "ratelimits.yaml"}) {
            Files.writeString(dir.resolve(f), edit.apply(f, Files.readString(Path.of(f))));
        }
        return new GatewayHarness(dir, env);
    }

    public static GatewayHarness start() throws Exception {
        return start((file, text) -> text);
    }

    /**
     * Edits one config file and waits until the gateway has polled it; true when the edit was applied, false when
     * rejected. The file is replaced atomically: the background watcher must never read a half-written file (a
     * valid prefix of a policies file can lack rules that follow it). Whichever of the watcher and this call reads
     * the edit first applies it, so the answer comes from the configuration version.
     */
    public boolean edit(String file, UnaryOperator<String> change) throws IOException {
        Path p = dir.resolve(file);
        Path tmp = dir.resolve(file + ".tmp");
        long before = gateway.config().current().version();
        Files.writeString(tmp, change.apply(Files.readString(p)));
        Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        gateway.config().poll();
        return gateway.config().current().version() > before;
    }

    private static final String SMALL_SIMULATORS = """
            simulators:
              github:
                latency_ms: 0
                seed: 42
                org: acme
                repos: [mobile-app, web-app, platform-api, infra]
                pull_requests: 400
            %s  jira:
                latency_ms: 0
                projects: [MOB, WEB, PLAT]
                issues: 600
            """;

    /**
     * {@code catalog} with a small simulator data set (400 pull requests, 600 issues) whose GitHub simulator has
     * the given {@code faults:} mapping, e.g. {@code "{error_every: 1}"} ({@code ""}: no faults).
     */
    public static String withGithubFaults(String catalog, String faults) {
        int from = catalog.indexOf("simulators:");
        int to = catalog.indexOf("\nsources:");
        return catalog.substring(0, from) + SMALL_SIMULATORS.formatted(faults.isEmpty() ? "" : "    faults: " + faults + "\n")
                + catalog.substring(to);
    }

    @FunctionalInterface
    public interface FileEdit {
        String apply(String file, String text);
    }

    public Gateway gateway() {
        return gateway;
    }

    public Path configDir() {
        return dir;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }

    public String token(String sub, String team, String roles, String scopes) {
        String q = "sub=" + enc(sub) + (team == null ? "" : "&team=" + enc(team)) + (roles == null ? "" : "&roles=" + enc(roles))
                + (scopes == null ? "" : "&scopes=" + enc(scopes));
        return get("/dev/token?" + q, null).body().get("access_token").asText();
    }

    /** A token for an analyst of team mobile with no extra scopes. */
    public String token() {
        return token("alice", "mobile", "analyst", "");
    }

    public Response query(String token, String sql) {
        ObjectNode body = JSON.createObjectNode().put("sql", sql);
        return post("/v1/query", token, body.toString());
    }

    public Response query(String token, String sql, long maxStalenessMs) {
        ObjectNode body = JSON.createObjectNode().put("sql", sql).put("max_staleness_ms", maxStalenessMs);
        return post("/v1/query", token, body.toString());
    }

    public Response post(String path, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    public Response get(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    public Response delete(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).DELETE();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    private Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = r.body().isEmpty() ? JSON.nullNode() : parse(r.body());
            return new Response(r.statusCode(), body, r.body(), r.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(s);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** An HTTP answer: status, parsed JSON body (a text node if not JSON), raw text and headers. */
    public record Response(int status, JsonNode body, String text, Map<String, java.util.List<String>> headers) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        public String errorCode() {
            return body.path("error").path("code").asText(null);
        }
    }

    @Override
    public void close() {
        gateway.close();
    }
}
