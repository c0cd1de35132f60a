package io.omnisql.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.security.jwt.jwk.Jwk;
import io.helidon.security.jwt.jwk.JwkKeys;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The issuer's published signing keys. Keys are fetched lazily (the demo issuer's URL is known only
 * once the server listens), refetched when a token names an unknown {@code kid} (key rotation) or the
 * set is older than {@link #MAX_AGE}, and never fetched more than once per refetch interval so that a
 * flood of tokens with made-up kids cannot hammer the identity provider.
 */
final class SigningKeys {
    /** Keys are refreshed on a cache miss after this long even without an unknown kid, to notice revocations. */
    static final Duration MAX_AGE = Duration.ofMinutes(10);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(5);
    private static final System.Logger LOG = System.getLogger(SigningKeys.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<String> issuer;
    private final boolean discovery;
    private final String explicitJwksUri;
    private final Duration refetchInterval;
    private final InstantSource clock;
    private final HttpClient http;
    private final ReentrantLock fetchLock = new ReentrantLock();

    private volatile JwkKeys keys = JwkKeys.builder().build();
    private volatile Instant fetchedAt;
    private volatile Instant lastAttempt;
    private volatile String lastFailure;
    private volatile URI jwksUri;

    SigningKeys(Supplier<String> issuer, boolean discovery, String explicitJwksUri, Duration refetchInterval,
                InstantSource clock, HttpClient http) {
        this.issuer = issuer;
        this.discovery = discovery;
        this.explicitJwksUri = explicitJwksUri;
        this.refetchInterval = refetchInterval;
        this.clock = clock;
        this.http = http;
    }

    /** Whether the key is in the set as last fetched; never fetches (the cheap check for cached tokens). */
    boolean isPublished(String kid) {
        return kid == null ? keys.keys().size() == 1 : keys.forKeyId(kid).isPresent();
    }

    /**
     * The key to verify a token with. A token without {@code kid} is accepted only while the issuer
     * publishes exactly one key.
     */
    Jwk keyFor(String kid) {
        Optional<Jwk> key = lookup(kid);
        Instant fetched = fetchedAt;
        if (key.isEmpty() || fetched == null || clock.instant().isAfter(fetched.plus(MAX_AGE))) {
            refetch(kid);
            key = lookup(kid);
        }
        return key.orElseThrow(() -> Unauthenticated.because(missingKeyReason(kid)));
    }

    private Optional<Jwk> lookup(String kid) {
        JwkKeys current = keys;
        if (kid != null) {
            return current.forKeyId(kid);
        }
        return current.keys().size() == 1 ? Optional.of(current.keys().getFirst()) : Optional.empty();
    }

    private String missingKeyReason(String kid) {
        String failure = lastFailure;
        if (failure != null && keys.keys().isEmpty()) {
            return "cannot verify token: signing keys of the issuer are unavailable (" + failure + ")";
        }
        return kid == null
                ? "token has no key id (kid) and the issuer publishes " + keys.keys().size() + " keys"
                : "token is signed with an unknown key (kid " + Unauthenticated.printable(kid) + ")";
    }

    private void refetch(String kid) {
        fetchLock.lock();
        try {
            // Another caller may have fetched while this one waited for the lock.
            if (lookup(kid).isPresent() && fetchedAt != null && !clock.instant().isAfter(fetchedAt.plus(MAX_AGE))) {
                return;
            }
            Instant now = clock.instant();
            if (lastAttempt != null && now.isBefore(lastAttempt.plus(refetchInterval))) {
                return;
            }
            lastAttempt = now;
            try {
                keys = fetchKeys();
                fetchedAt = now;
                lastFailure = null;
            } catch (IOException | RuntimeException e) {
                lastFailure = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
                LOG.log(System.Logger.Level.WARNING, "JWKS fetch failed, keeping " + keys.keys().size()
                        + " known keys: " + lastFailure);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lastFailure = "interrupted";
        } finally {
            fetchLock.unlock();
        }
    }

    private JwkKeys fetchKeys() throws IOException, InterruptedException {
        URI uri = jwksUri();
        JsonObject jwks;
        try (JsonReader reader = Json.createReader(new StringReader(get(uri)))) {
            jwks = reader.readObject();
        } catch (RuntimeException e) {
            throw new IOException("JWKS at " + uri + " is not a JSON object");
        }
        JwkKeys.Builder builder = JwkKeys.builder();
        int count = 0;
        for (JsonValue value : jwks.getJsonArray("keys") == null ? JsonValue.EMPTY_JSON_ARRAY
                : jwks.getJsonArray("keys")) {
            if (value instanceof JsonObject key && !"enc".equals(key.getString("use", "sig"))) {
                try {
                    builder.addKey(Jwk.create(key));
                    count++;
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "Ignoring unusable JWKS entry " + key.getString("kid", "?")
                            + " from " + uri + ": " + e.getMessage());
                }
            }
        }
        LOG.log(System.Logger.Level.INFO, "Fetched " + count + " signing keys from " + uri);
        return builder.build();
    }

    private URI jwksUri() throws IOException, InterruptedException {
        if (!explicitJwksUri.isEmpty()) {
            return URI.create(explicitJwksUri);
        }
        URI known = jwksUri;
        if (known != null) {
            return known;
        }
        String iss = issuer.get();
        if (!discovery) {
            // Only the demo issuer gets here (settings require jwks_uri otherwise); its JWKS path is fixed.
            return URI.create(iss + "/jwks");
        }
        URI wellKnown = URI.create(stripSlash(iss) + "/.well-known/openid-configuration");
        JsonNode doc = JSON.readTree(get(wellKnown));
        if (!iss.equals(doc.path("issuer").asText())) {
            throw new IOException("discovery document at " + wellKnown + " names issuer '"
                    + doc.path("issuer").asText() + "', expected '" + iss + "'");
        }
        String uri = doc.path("jwks_uri").asText("");
        if (uri.isEmpty()) {
            throw new IOException("discovery document at " + wellKnown + " has no jwks_uri");
        }
        jwksUri = URI.create(uri);
        return jwksUri;
    }

    private String get(URI uri) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(HTTP_TIMEOUT)
                .header("Accept", "application/json").GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + uri + " answered " + response.statusCode());
        }
        return response.body();
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
