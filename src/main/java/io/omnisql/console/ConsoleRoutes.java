package io.omnisql.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The web console: a handful of static files from the jar under {@code /} and {@code /console/}, and
 * {@code GET /console/config.json} saying how to sign in. Every answer carries a strict Content-Security-Policy
 * and the usual hardening headers; the files are read once at start, so nothing is fetched at run time.
 */
public final class ConsoleRoutes {
    private static final Logger LOG = Logger.getLogger("omnisql.console");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The files of the console (classpath {@code console/}), served under {@code /console/}. */
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.css", "text/css; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "api.js", "text/javascript; charset=utf-8",
            "auth.js", "text/javascript; charset=utf-8",
            "editor.js", "text/javascript; charset=utf-8",
            "grid.js", "text/javascript; charset=utf-8",
            "chart.js", "text/javascript; charset=utf-8",
            "dom.js", "text/javascript; charset=utf-8");
    private static final Duration DISCOVERY_TTL = Duration.ofMinutes(10);
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(30);

    private final Supplier<ConsoleSettings> settings;
    private final Map<String, Asset> assets = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private volatile Discovered discovered;
    /** When discovery last failed: retried at most every {@link #RETRY_AFTER_FAILURE}, so a dead IdP costs no latency. */
    private volatile long failedAtNanos = System.nanoTime() - RETRY_AFTER_FAILURE.toNanos();

    private record Asset(byte[] body, String type, String etag) {
    }

    /** The authorization and token endpoints of an issuer, as its discovery document names them. */
    private record Discovered(String issuer, String authorizationEndpoint, String tokenEndpoint, long fetchedAtNanos) {
    }

    public ConsoleRoutes(Supplier<ConsoleSettings> settings) {
        this.settings = settings;
        for (Map.Entry<String, String> f : FILES.entrySet()) {
            assets.put(f.getKey(), load(f.getKey(), f.getValue()));
        }
    }

    private static Asset load(String name, String type) {
        try (InputStream in = ConsoleRoutes.class.getClassLoader().getResourceAsStream("console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console file missing from the jar: console/" + name);
            }
            byte[] body = in.readAllBytes();
            String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body), 0, 8) + "\"";
            return new Asset(body, type, etag);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public void register(HttpRouting.Builder routing) {
        routing.get("/", (req, res) -> serve(req, res, "index.html"))
                .get("/console", (req, res) -> serve(req, res, "index.html"))
                .get("/console/", (req, res) -> serve(req, res, "index.html"))
                .get("/console/config.json", this::config)
                .get("/console/{file}", (req, res) -> serve(req, res, req.path().pathParameters().get("file")));
    }

    private void serve(ServerRequest req, ServerResponse res, String name) {
        Asset a = assets.get(name);
        harden(res);
        if (a == null) {
            error(res, 404, "NOT_FOUND", "no console file " + name);
            return;
        }
        // Revalidated on every load (no-cache), answered 304 when unchanged: a new jar is picked up at once.
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(HeaderNames.ETAG, a.etag());
        if (req.headers().first(HeaderNames.IF_NONE_MATCH).map(a.etag()::equals).orElse(false)) {
            res.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, a.type());
        res.status(Status.OK_200).send(a.body());
    }

    /** {@code GET /console/config.json}: unauthenticated, names only what a sign-in page needs. */
    private void config(ServerRequest req, ServerResponse res) {
        ConsoleSettings s = settings.get();
        ObjectNode out = JSON.createObjectNode();
        out.put("demo_issuer", s.demoIssuer() && s.issuer().isEmpty());
        ObjectNode oidc = out.putObject("oidc");
        boolean oidcOn = !s.issuer().isEmpty() && !s.clientId().isEmpty();
        oidc.put("enabled", oidcOn);
        if (oidcOn) {
            oidc.put("issuer", s.issuer());
            oidc.put("client_id", s.clientId());
            Discovered d = discover(s.issuer());
            oidc.put("authorization_endpoint", d == null ? null : d.authorizationEndpoint());
            oidc.put("token_endpoint", d == null ? null : d.tokenEndpoint());
        }
        if (s.traceUiUrl().isEmpty()) {
            out.putNull("trace_ui_url");
        } else {
            out.put("trace_ui_url", s.traceUiUrl());
        }
        harden(res);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        try {
            res.status(Status.OK_200).send(JSON.writeValueAsBytes(out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The issuer's endpoints from its discovery document, cached for ten minutes; null when unreachable. */
    private Discovered discover(String issuer) {
        Discovered d = discovered;
        if (d != null && d.issuer().equals(issuer) && System.nanoTime() - d.fetchedAtNanos() < DISCOVERY_TTL.toNanos()) {
            return d;
        }
        if (System.nanoTime() - failedAtNanos < RETRY_AFTER_FAILURE.toNanos()) {
            return d;
        }
        failedAtNanos = System.nanoTime(); // cleared below on success
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + "/.well-known/openid-configuration"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                LOG.warning(() -> "console: discovery of " + issuer + " answered " + r.statusCode());
                return d;
            }
            JsonNode doc = JSON.readTree(r.body());
            String auth = httpUrl(doc.path("authorization_endpoint").asText(""));
            String token = httpUrl(doc.path("token_endpoint").asText(""));
            if (auth == null || token == null) {
                LOG.warning(() -> "console: discovery of " + issuer + " names no http(s) authorization/token endpoint");
                return d;
            }
            discovered = new Discovered(issuer, auth, token, System.nanoTime());
            failedAtNanos = System.nanoTime() - RETRY_AFTER_FAILURE.toNanos();
            return discovered;
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(Level.WARNING, "console: discovery of " + issuer + " failed: " + e.getMessage());
            return d;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return d;
        }
    }

    private static String httpUrl(String s) {
        try {
            URI u = URI.create(s);
            return ("https".equals(u.getScheme()) || "http".equals(u.getScheme())) && u.getHost() != null ? s : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Strict CSP: scripts, styles, images and connections only from this origin (plus the IdP's token endpoint
     * for the PKCE exchange); no inline script or style, no framing, no base or form targets elsewhere.
     */
    private void harden(ServerResponse res) {
        harden(res, settings.get());
    }

    private void harden(ServerResponse res, ConsoleSettings s) {
        String connect = "'self'";
        // The page must be allowed to reach the IdP's token endpoint (PKCE exchange) from its first load.
        Discovered d = s.issuer().isEmpty() || s.clientId().isEmpty() ? null : discover(s.issuer());
        if (d != null && d.issuer().equals(s.issuer())) {
            connect += " " + origin(d.tokenEndpoint());
        }
        res.header(HeaderNames.create("Content-Security-Policy"), "default-src 'self'; script-src 'self'; "
                + "style-src 'self'; img-src 'self'; connect-src " + connect + "; object-src 'none'; "
                + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        res.header(HeaderNames.create("X-Frame-Options"), "DENY");
        res.header(HeaderNames.create("Cross-Origin-Opener-Policy"), "same-origin");
    }

    private static String origin(String url) {
        URI u = URI.create(url);
        return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
    }

    private static void error(ServerResponse res, int status, String code, String message) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode e = out.putObject("error");
        e.put("code", code);
        e.put("message", message);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        try {
            res.status(Status.create(status)).send(JSON.writeValueAsString(out).getBytes(StandardCharsets.UTF_8));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
