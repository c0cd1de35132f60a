package io.omnisql.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.helidon.common.Errors;
import io.helidon.common.Severity;
import io.helidon.security.jwt.Jwt;
import io.helidon.security.jwt.JwtValidator;
import io.helidon.security.jwt.SignedJwt;
import io.helidon.security.jwt.jwk.Jwk;

import io.omnisql.error.QueryException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Validates OIDC bearer tokens (JWS signed by the issuer's JWKS keys) with Helidon's JWT classes and
 * maps their claims to a {@link Principal}. The demo issuer goes through exactly this path: its tokens
 * are checked against its discovery document and JWKS fetched over HTTP like any company IdP's.
 *
 * <p>Successful validations are cached by token string until the token expires, so a repeated token
 * costs a hash lookup instead of an RSA verification; {@link #update} with different settings starts
 * a fresh cache and key set.
 */
public final class OidcAuthenticator implements Authenticator {
    /** Asymmetric algorithms only: an HMAC alg would let a public JWKS key act as a shared secret. */
    private static final Set<String> ALGORITHMS = Set.of("RS256", "RS384", "RS512", "ES256", "ES384", "ES512");
    /** Validated tokens kept, by estimated heap bytes (token text and principal): large tokens cannot grow the heap. */
    private static final long CACHE_BYTES = 32L << 20;
    /** Bounds the cache lifetime of tokens with far-future expiry (and Caffeine's nanosecond arithmetic). */
    private static final Duration MAX_CACHED = Duration.ofDays(1);

    private final Supplier<URI> demoIssuer;
    private final InstantSource clock;
    private final HttpClient http;
    private volatile State state;

    private record State(IdentitySettings settings, Supplier<String> issuer, SigningKeys keys, ClaimMapping claims,
                         Cache<String, Accepted> accepted) {
    }

    /** A validated token: its principal, until when it may be used, and the key it was verified with. */
    private record Accepted(Principal principal, Instant usableUntil, String kid) {
    }

    OidcAuthenticator(IdentitySettings settings, Supplier<URI> demoIssuer, InstantSource clock) {
        this.demoIssuer = demoIssuer;
        this.clock = clock;
        // HTTP/1.1: a cleartext h2c upgrade attempt stalls some IdP front ends.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        this.state = newState(settings);
    }

    /**
     * @param settings   the identity section of policies.yaml
     * @param demoIssuer the demo issuer's URL ({@link DemoIssuer#issuer()}), asked lazily on the first
     *                   token so it may be bound after the server started; used when {@code identity.issuer}
     *                   is empty
     */
    public static OidcAuthenticator create(IdentitySettings settings, Supplier<URI> demoIssuer) {
        return new OidcAuthenticator(settings, demoIssuer, InstantSource.system());
    }

    /** Applies reloaded settings; unchanged settings keep the warm cache and keys. */
    public synchronized void update(IdentitySettings settings) {
        if (!settings.equals(state.settings())) {
            state = newState(settings);
        }
    }

    private State newState(IdentitySettings settings) {
        Supplier<String> issuer = settings.usesDemoIssuer() ? () -> demoIssuer.get().toString() : settings::issuer;
        SigningKeys keys = new SigningKeys(issuer, settings.discovery(), settings.jwksUri(),
                settings.jwksRefetchInterval(), clock, http);
        Cache<String, Accepted> accepted = Caffeine.newBuilder().executor(Runnable::run).maximumWeight(CACHE_BYTES)
                .weigher((String token, Accepted a) -> (int) Math.min(Integer.MAX_VALUE, 2L * token.length() + a.principal().estimatedBytes()))
                .expireAfter(new UntilUnusable()).build();
        return new State(settings, issuer, keys, new ClaimMapping(settings.claims()), accepted);
    }

    @Override
    public Principal authenticate(String authorizationHeader) {
        String token = bearerToken(authorizationHeader);
        State current = state;
        Instant now = clock.instant();
        Accepted hit = current.accepted().getIfPresent(token);
        // The clock check keeps an injected clock authoritative; the key check drops tokens whose key
        // the issuer has withdrawn since.
        if (hit != null && !now.isAfter(hit.usableUntil()) && current.keys().isPublished(hit.kid())) {
            return hit.principal();
        }
        Accepted accepted = validate(current, token, now);
        current.accepted().put(token, accepted);
        return accepted.principal();
    }

    private static String bearerToken(String header) {
        if (header == null || header.isBlank()) {
            throw Unauthenticated.missing("missing bearer token: send 'Authorization: Bearer <token>'");
        }
        String value = header.strip();
        int space = value.indexOf(' ');
        String scheme = space < 0 ? value : value.substring(0, space);
        if (!scheme.equalsIgnoreCase("Bearer")) {
            throw Unauthenticated.missing("unsupported authorization scheme '" + Unauthenticated.printable(scheme)
                    + "': send 'Authorization: Bearer <token>'");
        }
        String token = space < 0 ? "" : value.substring(space + 1).strip();
        if (token.isEmpty()) {
            throw Unauthenticated.missing("missing bearer token: the Authorization header has no token after 'Bearer'");
        }
        return token;
    }

    private Accepted validate(State current, String token, Instant now) {
        SignedJwt signed;
        try {
            signed = SignedJwt.parseToken(token);
        } catch (RuntimeException e) {
            // Helidon's parse messages quote the token, so they are not passed on.
            throw Unauthenticated.because("malformed token: not a signed JWT (header.payload.signature, base64url JSON)");
        }
        try {
            return validateClaimsThenSignature(current, signed, now);
        } catch (QueryException e) {
            throw e;
        } catch (RuntimeException e) {
            // Claims of the wrong JSON type (exp: "soon", aud: 5) or instants no clock holds (exp: 1e300) make
            // Helidon's JWT classes throw; the caller learns what is wrong, never a 500.
            throw Unauthenticated.because("malformed token claims: exp, nbf and iat must be whole seconds within "
                    + "the representable range, aud a string or array of strings, iss and sub strings");
        }
    }

    private Accepted validateClaimsThenSignature(State current, SignedJwt signed, Instant now) {
        Jwt jwt = signed.getJwt();
        String alg = jwt.algorithm().orElse("none");
        if (!ALGORITHMS.contains(alg)) {
            throw Unauthenticated.because("unsupported token algorithm '" + Unauthenticated.printable(alg)
                    + "' (accepted: RS256/384/512, ES256/384/512)");
        }
        checkClaims(current, jwt, now);
        // Signature after the claims: only tokens for this issuer, audience and time can make the keys refetch.
        String kid = jwt.keyId().orElse(null);
        Jwk key = current.keys().keyFor(kid);
        if (!alg.equals(key.algorithm()) || !verifies(key, signed)) {
            throw Unauthenticated.because("invalid token signature");
        }
        Principal principal = current.claims().principal(jwt.payloadJson());
        Instant expires = jwt.expirationTime().orElseThrow();
        return new Accepted(principal, expires.plus(current.settings().clockSkew()), kid);
    }

    private static void checkClaims(State current, Jwt jwt, Instant now) {
        IdentitySettings settings = current.settings();
        JwtValidator validator = JwtValidator.builder()
                .addIssuerValidator(current.issuer().get(), true)
                .addAudienceValidator(b -> {
                    b.expectedAudience(Set.of(settings.audience()));
                    b.mandatory(true);
                })
                .addExpirationValidator(b -> {
                    b.now(now);
                    b.allowedTimeSkew(settings.clockSkew());
                    b.mandatory(true);
                })
                .addNotBeforeValidator(b -> {
                    b.now(now);
                    b.allowedTimeSkew(settings.clockSkew());
                })
                .build();
        Errors errors = validator.validate(jwt);
        if (!errors.isValid()) {
            throw Unauthenticated.because("token rejected: " + errors.stream()
                    .filter(m -> m.getSeverity() == Severity.FATAL)
                    .map(Errors.ErrorMessage::getMessage)
                    .collect(Collectors.joining("; ")));
        }
    }

    private static boolean verifies(Jwk key, SignedJwt signed) {
        try {
            return key.verifySignature(signed.getSignedBytes(), signed.getSignature());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Cache entries live until their token stops being usable (exp plus the allowed skew). */
    private final class UntilUnusable implements Expiry<String, Accepted> {
        @Override
        public long expireAfterCreate(String token, Accepted accepted, long currentTime) {
            Duration left = Duration.between(clock.instant(), accepted.usableUntil());
            return left.isNegative() ? 0 : left.compareTo(MAX_CACHED) > 0 ? MAX_CACHED.toNanos() : left.toNanos();
        }

        @Override
        public long expireAfterUpdate(String token, Accepted accepted, long currentTime, long currentDuration) {
            return expireAfterCreate(token, accepted, currentTime);
        }

        @Override
        public long expireAfterRead(String token, Accepted accepted, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
