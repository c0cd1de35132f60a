package io.omnisql.connector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnisql.config.Catalog.Auth;
import io.omnisql.config.Catalog.SourceDef;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The {@code Authorization} header of a source's requests, by its auth type: a static bearer or basic secret,
 * an OAuth2 client-credentials access token, or a GitHub App installation token (obtained with an RS256 app
 * JWT). Tokens are kept until shortly before they expire and fetched once for all concurrent requests; a 401
 * from the upstream ({@link #rejected}) drops the source's token and re-reads its secrets, so a rotated
 * secret or revoked token is recovered from without a restart.
 */
final class Credentials {
    /** GitHub accepts an app JWT for at most ten minutes; iat is backdated for clock drift as GitHub advises. */
    private static final long JWT_LIFETIME_S = 540;
    private static final long JWT_BACKDATE_S = 60;
    private static final Duration MAX_REFRESH_MARGIN = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Token(String value, Instant refreshAt) {
    }

    private final Secrets secrets;
    private final Function<String, String> env;
    private final Function<SourceDef, URI> baseUrls;
    private final InstantSource clock;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newVirtualThreadPerTaskExecutor()).build();

    Credentials(Function<String, String> env, Function<SourceDef, URI> baseUrls, InstantSource clock) {
        this.env = env;
        this.secrets = new Secrets(env);
        this.baseUrls = baseUrls;
        this.clock = clock;
    }

    Secrets secrets() {
        return secrets;
    }

    /** A reload: secrets and tokens are read again on next use. */
    void forget() {
        secrets.forget();
        tokens.clear();
    }

    /**
     * The upstream answered 401 to {@code sent} (an Authorization value, or null): re-read the secrets, and drop
     * the source's token if that is the one refused (concurrent streams refused together fetch one new token).
     */
    void rejected(SourceDef source, String sent) {
        secrets.forget();
        tokens.computeIfPresent(source.name(), (k, t) -> ("Bearer " + t.value()).equals(sent) ? null : t);
    }

    /** Every secret a source reads that is missing now, as sentences naming them (for the check at load). */
    List<String> missing(SourceDef source) {
        List<String> out = new ArrayList<>();
        source.auth().templates().values().forEach(t -> out.addAll(secrets.missing(t)));
        source.headers().values().forEach(t -> out.addAll(secrets.missing(t)));
        source.queryParams().values().forEach(t -> out.addAll(secrets.missing(t)));
        return out;
    }

    /** The Authorization header value, or null for none. */
    String authorization(SourceDef source, long deadlineNanos) {
        Auth a = source.auth();
        return switch (a.type()) {
            case "bearer" -> {
                String token = secret(a.tokenEnv(), a.token());
                yield token == null ? null : "Bearer " + token;
            }
            case "basic" -> {
                String token = secret(a.tokenEnv(), a.token());
                if (token == null) {
                    yield null;
                }
                String user = secret(a.userEnv(), a.user());
                yield "Basic " + Base64.getEncoder().encodeToString(((user == null ? "" : user) + ":" + token)
                        .getBytes(StandardCharsets.UTF_8));
            }
            case "oauth2_client_credentials", "github_app" -> "Bearer " + token(source, deadlineNanos).value();
            default -> null;
        };
    }

    /** A variable named by *_env (unset: no header, the embedded simulators' case) or a template. */
    private String secret(String envName, String template) {
        if (!envName.isEmpty()) {
            String v = env.apply(envName);
            return v == null || v.isEmpty() ? null : v;
        }
        return template.isEmpty() ? null : secrets.expand(template);
    }

    private Token token(SourceDef source, long deadlineNanos) {
        Token t = tokens.get(source.name());
        if (t != null && clock.instant().isBefore(t.refreshAt())) {
            return t;
        }
        synchronized (locks.computeIfAbsent(source.name(), k -> new Object())) {
            t = tokens.get(source.name());
            if (t == null || !clock.instant().isBefore(t.refreshAt())) {
                t = source.auth().type().equals("github_app") ? installationToken(source, deadlineNanos)
                        : clientCredentials(source, deadlineNanos);
                tokens.put(source.name(), t);
            }
            return t;
        }
    }

    /** RFC 6749 4.4: POST grant_type=client_credentials, the client authenticated by HTTP Basic (2.3.1). */
    private Token clientCredentials(SourceDef source, long deadlineNanos) {
        Auth a = source.auth();
        String id = form(secrets.expand(a.clientId()));
        String secret = form(secrets.expand(a.clientSecret()));
        String body = "grant_type=client_credentials" + (a.scope().isEmpty() ? "" : "&scope=" + form(secrets.expand(a.scope())));
        URI tokenUrl = URI.create(a.tokenUrl().startsWith("/")
                ? baseUrls.apply(source).toString().replaceAll("/+$", "") + a.tokenUrl() : a.tokenUrl());
        HttpRequest request = HttpRequest.newBuilder(tokenUrl)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret)
                        .getBytes(StandardCharsets.UTF_8)))
                .timeout(timeout(source, deadlineNanos)).build();
        JsonNode answer = exchange(source, request, "access_token");
        long expiresIn = answer.path("expires_in").canConvertToLong() ? answer.get("expires_in").asLong() : 3600;
        return fresh(answer.get("access_token").asText(), clock.instant().plusSeconds(Math.max(1, expiresIn)));
    }

    /**
     * GitHub App: an app JWT (RS256, iss = app id, iat backdated a minute, exp under ten minutes) buys an
     * installation token at {@code POST /app/installations/{id}/access_tokens}, valid for an hour.
     */
    private Token installationToken(SourceDef source, long deadlineNanos) {
        Auth a = source.auth();
        long now = clock.instant().getEpochSecond();
        String jwt = jwt(source, secrets.expand(a.appId()), now, secrets.expand(a.privateKey()));
        URI uri = URI.create(baseUrls.apply(source).toString().replaceAll("/+$", "") + "/app/installations/"
                + URLEncoder.encode(secrets.expand(a.installationId()), StandardCharsets.UTF_8) + "/access_tokens");
        HttpRequest request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody())
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28")
                .header("Authorization", "Bearer " + jwt)
                .timeout(timeout(source, deadlineNanos)).build();
        JsonNode answer = exchange(source, request, "token");
        Instant expires;
        try {
            expires = Instant.parse(answer.path("expires_at").asText());
        } catch (java.time.format.DateTimeParseException e) {
            expires = clock.instant().plus(Duration.ofHours(1));
        }
        return fresh(answer.get("token").asText(), expires);
    }

    /** Refreshed a quarter of its lifetime (at most five minutes) before it expires. */
    private Token fresh(String value, Instant expires) {
        Duration life = Duration.between(clock.instant(), expires);
        Duration margin = life.dividedBy(4).compareTo(MAX_REFRESH_MARGIN) > 0 ? MAX_REFRESH_MARGIN : life.dividedBy(4);
        return new Token(value, expires.minus(margin));
    }

    static String jwt(SourceDef source, String appId, long nowEpochS, String pem) {
        String header = b64(JSON.createObjectNode().put("alg", "RS256").put("typ", "JWT").toString());
        String claims = b64(JSON.createObjectNode().put("iat", nowEpochS - JWT_BACKDATE_S)
                .put("exp", nowEpochS + JWT_LIFETIME_S).put("iss", appId).toString());
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(privateKey(pem));
            rsa.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
            return header + "." + claims + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(rsa.sign());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new QueryException(ErrorCode.SOURCE_ERROR, "source " + source.name() + ": the GitHub App private_key"
                    + " is not an RSA private key in PEM (PKCS#1 or PKCS#8): " + e.getClass().getSimpleName(),
                    Map.of("source", source.name()));
        }
    }

    /** A PEM RSA key: PKCS#8 ("PRIVATE KEY") as is; PKCS#1 ("RSA PRIVATE KEY", what GitHub hands out) wrapped. */
    static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        boolean pkcs1 = pem.contains("BEGIN RSA PRIVATE KEY");
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        if (pkcs1) {
            byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01,
                    0x01, 0x01, 0x05, 0x00};
            byte[] octets = der(0x04, der);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes(new byte[] {0x02, 0x01, 0x00});
            body.writeBytes(algorithm);
            body.writeBytes(octets);
            der = der(0x30, body.toByteArray());
        }
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    /** One DER element: tag, definite length, content. */
    private static byte[] der(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write((n >>> (8 * i)) & 0xff);
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private JsonNode exchange(SourceDef source, HttpRequest request, String field) {
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new QueryException(ErrorCode.SOURCE_ERROR, "source " + source.name() + ": token endpoint "
                    + request.uri().getPath() + " unreachable: " + e.getClass().getSimpleName(), Map.of("source", source.name()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueryException(ErrorCode.SOURCE_TIMEOUT, "source " + source.name() + ": token request cancelled",
                    Map.of("source", source.name()));
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body());
        } catch (IOException e) {
            answer = null;
        }
        int status = response.statusCode();
        if (status / 100 != 2 || answer == null || !answer.path(field).isTextual() || answer.get(field).asText().isEmpty()) {
            String why = answer == null ? "" : answer.path("error_description").asText(answer.path("error")
                    .asText(answer.path("message").asText("")));
            throw new QueryException(ErrorCode.SOURCE_ERROR, "source " + source.name() + ": token endpoint "
                    + request.uri().getPath() + " answered HTTP " + status + (why.isEmpty() ? " without " + field : ": " + why),
                    Map.of("source", source.name(), "upstream_status", status));
        }
        return answer;
    }

    private static Duration timeout(SourceDef source, long deadlineNanos) {
        long ms = Math.min(source.timeoutMs(), (deadlineNanos - System.nanoTime()) / 1_000_000);
        return Duration.ofMillis(Math.max(1, ms));
    }

    private static String form(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
