package io.omnisql.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.security.jwt.Jwt;
import io.helidon.security.jwt.SignedJwt;
import io.helidon.security.jwt.jwk.JwkRSA;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.omnisql.error.ErrorCode;

import java.math.BigInteger;
import java.net.URI;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A small but real OIDC issuer for demos and tests: an in-memory RSA key, a discovery document, a
 * JWKS and a token endpoint that mints RS256 access tokens for whoever asks. Its tokens are validated
 * by {@link OidcAuthenticator} exactly like a company IdP's, over HTTP.
 *
 * <p>Routes (all GET): {@code /dev/token?sub=&team=&roles=&scopes=} (comma-separated roles and scopes,
 * plus one parameter per configured attribute, e.g. {@code department=}),
 * {@code /dev/.well-known/openid-configuration} and {@code /dev/jwks}. They answer 404 while
 * {@code identity.demo_issuer.enabled} is false.
 */
public final class DemoIssuer {
    private static final String PATH = "/dev";
    private static final String ALG = "RS256";
    private static final int MAX_PARAM = 256;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    private volatile IdentitySettings settings;
    private volatile URI serverRoot;
    private volatile Keys keys;

    /** The signing key and the retired keys still published (so tokens they signed keep verifying). */
    private record Keys(SigningKey current, List<Retired> retired) {
    }

    private record SigningKey(JwkRSA jwk, RSAPublicKey publicKey) {
    }

    private record Retired(SigningKey key, Instant publishedUntil) {
    }

    DemoIssuer(IdentitySettings settings, InstantSource clock) {
        this.settings = settings;
        this.clock = clock;
        this.keys = new Keys(newKey(), List.of());
    }

    /** Generates the signing key; call {@link #bind} once the server listens. */
    public static DemoIssuer create(IdentitySettings settings) {
        return new DemoIssuer(settings, InstantSource.system());
    }

    /** Tells the issuer where the server listens, e.g. {@code http://127.0.0.1:8080}; its issuer is that plus /dev. */
    public void bind(URI serverRoot) {
        String root = serverRoot.toString();
        this.serverRoot = URI.create(root.endsWith("/") ? root.substring(0, root.length() - 1) : root);
    }

    /** The issuer URL ({@code iss}) of the demo tokens. */
    public URI issuer() {
        URI root = serverRoot;
        if (root == null) {
            throw new IllegalStateException("DemoIssuer.bind(serverRoot) was not called after the server started");
        }
        return URI.create(root + PATH);
    }

    /** Applies reloaded settings: the enabled switch, token lifetime, audience and claim names. */
    public void update(IdentitySettings settings) {
        this.settings = settings;
    }

    /**
     * Starts signing with a new key (new kid). The old key stays in the JWKS for {@code grace}, so
     * tokens it signed keep verifying that long; {@link Duration#ZERO} withdraws it at once.
     */
    public synchronized void rotateKey(Duration grace) {
        Instant now = clock.instant();
        List<Retired> retired = new ArrayList<>(keys.retired().stream()
                .filter(r -> r.publishedUntil().isAfter(now)).toList());
        if (grace.isPositive()) {
            retired.add(new Retired(keys.current(), now.plus(grace)));
        }
        keys = new Keys(newKey(), List.copyOf(retired));
    }

    public void register(HttpRouting.Builder routing) {
        routing.get(PATH + "/token", this::token)
                .get(PATH + "/.well-known/openid-configuration", this::discovery)
                .get(PATH + "/jwks", this::jwks);
    }

    /**
     * Mints a token as {@code /dev/token} does. Claims use the first configured name of each mapping.
     *
     * @param attributes values for configured attributes, keyed by attribute name (e.g. {@code department})
     */
    public String issueToken(String subject, String team, List<String> roles, List<String> scopes,
                             Map<String, String> attributes) {
        IdentitySettings current = settings;
        IdentitySettings.ClaimNames names = current.claims();
        Instant now = clock.instant();
        SigningKey key = keys.current();
        Jwt.Builder jwt = Jwt.builder()
                .keyId(key.jwk().keyId())
                .algorithm(ALG)
                .type("JWT")
                .issuer(issuer().toString())
                .addAudience(current.audience())
                .issueTime(now)
                .notBefore(now)
                .expirationTime(now.plus(current.demoIssuer().tokenTtl()))
                .jwtId(UUID.randomUUID().toString())
                .addPayloadClaim(names.subject().getFirst(), subject)
                .addPayloadClaim(names.roles().getFirst(), List.copyOf(roles));
        String scopeClaim = names.scopes().getFirst();
        // OAuth's "scope" is a space-separated string; other claim names (scp) get an array.
        jwt.addPayloadClaim(scopeClaim, scopeClaim.equals("scope") ? String.join(" ", scopes) : List.copyOf(scopes));
        if (team != null && !team.isEmpty()) {
            jwt.addPayloadClaim(names.team().getFirst(), team);
        }
        attributes.forEach((name, value) -> {
            List<String> claim = names.attributes().get(name);
            if (claim != null) {
                jwt.addPayloadClaim(claim.getFirst(), value);
            }
        });
        return SignedJwt.sign(jwt.build(), key.jwk()).tokenContent();
    }

    private void token(ServerRequest req, ServerResponse res) {
        if (refusedWhenDisabled(res)) {
            return;
        }
        var query = req.query();
        String subject = query.first("sub").orElse("").strip();
        if (subject.isEmpty()) {
            error(res, ErrorCode.BAD_REQUEST, "query parameter 'sub' is required, e.g. /dev/token?sub=alice&team=eng");
            return;
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        for (String name : settings.claims().attributes().keySet()) {
            query.first(name).ifPresent(v -> attributes.put(name, v.strip()));
        }
        String team = query.first("team").orElse("").strip();
        List<String> roles = list(query.first("roles").orElse(""));
        List<String> scopes = list(query.first("scopes").orElse(""));
        String tooLong = Stream.of(Stream.of(subject, team), roles.stream(), scopes.stream(),
                        attributes.values().stream()).flatMap(s -> s)
                .filter(s -> s.length() > MAX_PARAM).findFirst().orElse(null);
        if (tooLong != null) {
            error(res, ErrorCode.BAD_REQUEST, "query values are limited to " + MAX_PARAM + " characters");
            return;
        }
        if (scopes.stream().anyMatch(s -> s.chars().anyMatch(Character::isWhitespace))) {
            error(res, ErrorCode.BAD_REQUEST, "a scope must not contain spaces (scopes are comma-separated)");
            return;
        }
        String token = issueToken(subject, team, roles, scopes, attributes);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        json(res, Status.OK_200, Map.of("access_token", token, "token_type", "Bearer",
                "expires_in", settings.demoIssuer().tokenTtl().toSeconds()));
    }

    private void discovery(ServerRequest req, ServerResponse res) {
        if (refusedWhenDisabled(res)) {
            return;
        }
        String issuer = issuer().toString();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("issuer", issuer);
        doc.put("jwks_uri", issuer + "/jwks");
        doc.put("token_endpoint", issuer + "/token");
        doc.put("response_types_supported", List.of("token"));
        doc.put("grant_types_supported", List.of("implicit"));
        doc.put("subject_types_supported", List.of("public"));
        doc.put("id_token_signing_alg_values_supported", List.of(ALG));
        doc.put("claims_supported", List.of("iss", "sub", "aud", "exp", "nbf", "iat", "jti"));
        json(res, Status.OK_200, doc);
    }

    private void jwks(ServerRequest req, ServerResponse res) {
        if (refusedWhenDisabled(res)) {
            return;
        }
        Instant now = clock.instant();
        Keys current = keys;
        List<Map<String, String>> published = Stream.concat(Stream.of(current.current()),
                        current.retired().stream().filter(r -> r.publishedUntil().isAfter(now)).map(Retired::key))
                .map(DemoIssuer::publicJwk).toList();
        json(res, Status.OK_200, Map.of("keys", published));
    }

    private boolean refusedWhenDisabled(ServerResponse res) {
        if (settings.demoIssuer().enabled()) {
            return false;
        }
        error(res, ErrorCode.NOT_FOUND, "the demo issuer is disabled (identity.demo_issuer.enabled: false)");
        return true;
    }

    private SigningKey newKey() {
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, random);
            pair = generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK offers no RSA key generator", e);
        }
        byte[] id = new byte[8];
        random.nextBytes(id);
        RSAPublicKey publicKey = (RSAPublicKey) pair.getPublic();
        JwkRSA jwk = JwkRSA.builder()
                .publicKey(publicKey)
                .privateKey((RSAPrivateKey) pair.getPrivate())
                .keyId("demo-" + HexFormat.of().formatHex(id))
                .algorithm(ALG)
                .usage("sig")
                .build();
        return new SigningKey(jwk, publicKey);
    }

    private static Map<String, String> publicJwk(SigningKey key) {
        Map<String, String> jwk = new LinkedHashMap<>();
        jwk.put("kty", "RSA");
        jwk.put("use", "sig");
        jwk.put("alg", ALG);
        jwk.put("kid", key.jwk().keyId());
        jwk.put("n", unsigned(key.publicKey().getModulus()));
        jwk.put("e", unsigned(key.publicKey().getPublicExponent()));
        return jwk;
    }

    /** JWK integers are unsigned big-endian base64url, without the sign byte BigInteger may add. */
    private static String unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return B64URL.encodeToString(bytes[0] == 0 && bytes.length > 1 ? Arrays.copyOfRange(bytes, 1, bytes.length)
                : bytes);
    }

    private static List<String> list(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static void error(ServerResponse res, ErrorCode code, String message) {
        json(res, Status.create(code.status()), Map.of("error", Map.of("code", code.name(), "message", message,
                "trace_id", io.omnisql.error.TraceIds.random())));
    }

    private static void json(ServerResponse res, Status status, Object body) {
        try {
            res.status(status).header(HeaderValues.CONTENT_TYPE_JSON).send(JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a demo issuer answer", e);
        }
    }
}
