package io.omnisql.connector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * Replays recorded GitHub exchanges ({@code src/test/resources/fixtures/github/*.json}, octokit
 * fixture format, MIT: see LICENSE.octokit-fixtures there) on
 * 127.0.0.1, with {@code https://api.github.com} in headers rewritten to this server, and records what the
 * client sent. A request matches a recorded one by path and query, or by path alone when only one has that path.
 * Tests can also mount scripted answers for a path.
 */
final class FixtureServer implements AutoCloseable {
    static final Path FIXTURES = Path.of("src", "test", "resources", "fixtures", "github");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as received. */
    record Seen(String method, String pathAndQuery, Headers headers, int status) {
    }

    /** A scripted answer: gets the exchange and the number of earlier requests to its path. */
    @FunctionalInterface
    interface Script {
        void answer(HttpExchange exchange, int previousCalls) throws IOException;
    }

    private record Recorded(String pathAndQuery, int status, Map<String, String> headers, byte[] body) {
    }

    private final HttpServer server;
    private final List<Recorded> recorded = new CopyOnWriteArrayList<>();
    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
    private final Map<String, Integer> scriptCalls = new ConcurrentHashMap<>();
    final List<Seen> seen = new CopyOnWriteArrayList<>();

    FixtureServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Loads every exchange of a fixture file. */
    FixtureServer replay(String fixture) throws IOException {
        for (JsonNode e : JSON.readTree(Files.readString(FIXTURES.resolve(fixture)))) {
            Map<String, String> headers = new java.util.LinkedHashMap<>();
            e.get("headers").properties().forEach(h -> headers.put(h.getKey(),
                    h.getValue().asText().replace("https://api.github.com", baseUrl())));
            byte[] body = JSON.writeValueAsBytes(e.get("response"));
            // The recorded content-length belongs to GitHub's own serialisation of the body.
            headers.put("content-length", String.valueOf(body.length));
            recorded.add(new Recorded(e.get("path").asText(), e.get("status").asInt(), headers, body));
        }
        return this;
    }

    FixtureServer script(String path, Script script) {
        scripts.put(path, script);
        return this;
    }

    List<Seen> seen(String pathPrefix) {
        return seen.stream().filter(s -> s.pathAndQuery().startsWith(pathPrefix)).toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        String pq = ex.getRequestURI().getRawPath()
                + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
        Script script = scripts.get(ex.getRequestURI().getRawPath());
        if (script != null) {
            int calls = scriptCalls.merge(ex.getRequestURI().getRawPath(), 1, Integer::sum) - 1;
            seen.add(new Seen(ex.getRequestMethod(), pq, ex.getRequestHeaders(), -1));
            script.answer(ex, calls);
            return;
        }
        Recorded r = match(pq, ex.getRequestURI().getRawPath());
        try (ex) {
            if (r == null) {
                seen.add(new Seen(ex.getRequestMethod(), pq, ex.getRequestHeaders(), 404));
                send(ex, 404, Map.of(), "{\"message\":\"Not Found\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String etag = r.headers().get("etag");
            if (etag != null && etag.equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
                seen.add(new Seen(ex.getRequestMethod(), pq, ex.getRequestHeaders(), 304));
                ex.getResponseHeaders().add("etag", etag);
                ex.sendResponseHeaders(304, -1);
                return;
            }
            seen.add(new Seen(ex.getRequestMethod(), pq, ex.getRequestHeaders(), r.status()));
            send(ex, r.status(), r.headers(), r.body());
        }
    }

    private Recorded match(String pathAndQuery, String path) {
        List<Recorded> byPath = new ArrayList<>();
        for (Recorded r : recorded) {
            if (r.pathAndQuery().equals(pathAndQuery)) {
                return r;
            }
            if (r.pathAndQuery().split("\\?")[0].equals(path)) {
                byPath.add(r);
            }
        }
        return byPath.size() == 1 ? byPath.get(0) : null;
    }

    static void send(HttpExchange ex, int status, Map<String, String> headers, byte[] body) throws IOException {
        headers.forEach((k, v) -> {
            if (!k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("transfer-encoding")
                    && !k.equalsIgnoreCase("connection")) {
                ex.getResponseHeaders().add(k, v);
            }
        });
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
