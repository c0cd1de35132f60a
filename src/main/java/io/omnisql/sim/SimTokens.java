package io.omnisql.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The token endpoints a gateway meets in front of real APIs, played by the simulators: OAuth2 client
 * credentials ({@code POST /oauth/token}, RFC 6749 4.4, client authenticated by HTTP Basic or form fields) and
 * GitHub App installation tokens ({@code POST /app/installations/{id}/access_tokens}, authenticated by an
 * RS256 app JWT checked against the app's registered public key: signature, issuer, iat/exp within ten
 * minutes). Issued tokens expire; a request bearing one of this issuer's token shapes that is unknown or
 * expired is answered 401, as the real APIs do. Requests without such a token pass untouched (the demo
 * sources send none). Clients and apps are registered from code, as a real site registers them out of band.
 */
public final class SimTokens {
    private static final String OAUTH_PREFIX = "sim_oauth_";
    private static final String INSTALLATION_PREFIX = "ghs_sim";
    private static final long MAX_JWT_SPAN_S = 600;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Client(String secret, long ttlSeconds) {
    }

    private record App(PublicKey key, String installationId, long ttlSeconds) {
    }

    private final InstantSource clock;
    private final Map<String, Client> clients = new ConcurrentHashMap<>();
    private final Map<String, App> apps = new ConcurrentHashMap<>();
    private final Map<String, Instant> issued = new ConcurrentHashMap<>();
    private final AtomicLong issuedCount = new AtomicLong();

    SimTokens(InstantSource clock) {
        this.clock = clock;
    }

    /** Registers an OAuth2 client; its access tokens live {@code ttlSeconds}. */
    public void oauthClient(String id, String secret, long ttlSeconds) {
        clients.put(id, new Client(secret, ttlSeconds));
    }

    /** Registers a GitHub App (its id and the public half of its key) installed once; tokens live {@code ttlSeconds}. */
    public void githubApp(String appId, PublicKey key, String installationId, long ttlSeconds) {
        apps.put(appId, new App(key, installationId, ttlSeconds));
    }

    /** Revokes every issued token (the next request with one gets 401). */
    public void revokeAll() {
        issued.clear();
    }

    /** Tokens issued since start, both kinds. */
    public long issuedCount() {
        return issuedCount.get();
    }

    /** The answer of a token endpoint, or 401 for a dead token of ours; null lets the request through. */
    Reply intercept(ServerRequest req) {
        String path = req.path().path();
        boolean post = req.prologue().method().equals(Method.POST);
        if (post && path.equals("/oauth/token")) {
            return clientCredentials(req);
        }
        if (post && path.matches("/app/installations/[^/]+/access_tokens")) {
            return installationToken(req, path.split("/")[3]);
        }
        String auth = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        String token = auth.replaceFirst("(?i)^(bearer|token) ", "");
        if ((token.startsWith(OAUTH_PREFIX) || token.startsWith(INSTALLATION_PREFIX)) && !alive(token)) {
            return message(401, "Bad credentials");
        }
        return null;
    }

    private boolean alive(String token) {
        Instant until = issued.get(token);
        return until != null && clock.instant().isBefore(until);
    }

    private Reply clientCredentials(ServerRequest req) {
        Map<String, String> form = form(req.content().as(String.class));
        String id = form.get("client_id");
        String secret = form.get("client_secret");
        String auth = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            String pair;
            try {
                pair = new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                pair = "";
            }
            int colon = pair.indexOf(':');
            if (colon > 0) {
                id = URLDecoder.decode(pair.substring(0, colon), StandardCharsets.UTF_8);
                secret = URLDecoder.decode(pair.substring(colon + 1), StandardCharsets.UTF_8);
            }
        }
        if (!"client_credentials".equals(form.get("grant_type"))) {
            return oauthError(400, "unsupported_grant_type", "grant_type must be client_credentials");
        }
        Client client = id == null ? null : clients.get(id);
        if (client == null || !client.secret().equals(secret)) {
            return oauthError(401, "invalid_client", "Unauthorized");
        }
        String token = issue(OAUTH_PREFIX, client.ttlSeconds());
        return Reply.json(200, JsonBytes.render(g -> {
            g.writeStartObject();
            g.writeStringField("access_token", token);
            g.writeStringField("token_type", "Bearer");
            g.writeNumberField("expires_in", client.ttlSeconds());
            if (form.containsKey("scope")) {
                g.writeStringField("scope", form.get("scope"));
            }
            g.writeEndObject();
        })).header("Content-Type", "application/json").header("Cache-Control", "no-store");
    }

    private Reply installationToken(ServerRequest req, String installationId) {
        String auth = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        String[] parts = auth.replaceFirst("(?i)^bearer ", "").split("\\.");
        if (parts.length != 3) {
            return message(401, "A JSON web token could not be decoded");
        }
        JsonNode header;
        JsonNode claims;
        try {
            header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
            claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (Exception e) {
            return message(401, "A JSON web token could not be decoded");
        }
        App app = apps.get(claims.path("iss").asText());
        if (!"RS256".equals(header.path("alg").asText()) || app == null) {
            return message(401, "A JSON web token could not be decoded");
        }
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(app.key());
            rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!rsa.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                return message(401, "A JSON web token could not be decoded");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return message(401, "A JSON web token could not be decoded");
        }
        long now = clock.instant().getEpochSecond();
        long iat = claims.path("iat").asLong();
        long exp = claims.path("exp").asLong();
        if (exp - iat > MAX_JWT_SPAN_S + 60 || exp <= now || iat > now + 60) {
            return message(401, "'Expiration time' claim ('exp') is too far in the future or has passed");
        }
        if (!app.installationId().equals(installationId)) {
            return message(404, "Not Found");
        }
        String token = issue(INSTALLATION_PREFIX, app.ttlSeconds());
        Instant expires = issued.get(token);
        return Reply.json(201, JsonBytes.render(g -> {
            g.writeStartObject();
            g.writeStringField("token", token);
            g.writeStringField("expires_at", expires.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
            g.writeObjectFieldStart("permissions");
            g.writeStringField("pull_requests", "read");
            g.writeStringField("metadata", "read");
            g.writeEndObject();
            g.writeStringField("repository_selection", "all");
            g.writeEndObject();
        })).header("Content-Type", "application/json; charset=utf-8");
    }

    private String issue(String prefix, long ttlSeconds) {
        String token = prefix + UUID.randomUUID().toString().replace("-", "");
        issued.put(token, clock.instant().plusSeconds(ttlSeconds));
        issuedCount.incrementAndGet();
        return token;
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new HashMap<>();
        for (String part : body.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static Reply oauthError(int status, String error, String description) {
        return Reply.json(status, JsonBytes.render(g -> {
            g.writeStartObject();
            g.writeStringField("error", error);
            g.writeStringField("error_description", description);
            g.writeEndObject();
        })).header("Content-Type", "application/json");
    }

    private static Reply message(int status, String text) {
        return Reply.json(status, JsonBytes.render(g -> {
            g.writeStartObject();
            g.writeStringField("message", text);
            g.writeStringField("documentation_url", "https://docs.github.com/rest");
            g.writeEndObject();
        })).header("Content-Type", "application/json; charset=utf-8");
    }
}
