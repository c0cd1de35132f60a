package io.omnisql.identity;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code identity} section of policies.yaml: which issuer's bearer tokens are accepted and how
 * their claims become a {@link Principal}.
 *
 * @param audience             the {@code aud} value a token must carry
 * @param issuer               the expected {@code iss}; empty means the built-in demo issuer
 * @param discovery            whether the JWKS URL is found through the issuer's discovery document
 * @param jwksUri              an explicit JWKS URL (skips discovery); empty when not set
 * @param clockSkew            tolerance for {@code exp}/{@code nbf} against this gateway's clock
 * @param jwksRefetchInterval  least time between two JWKS fetches, so unknown-kid floods cannot hammer the IdP
 * @param claims               which claims give subject, team, roles, scopes and attributes
 * @param demoIssuer           the built-in demo issuer's switch and token lifetime
 * @param consoleClientId      the OAuth client id the web console signs in with at {@code issuer} ("" = none)
 */
public record IdentitySettings(String audience, String issuer, boolean discovery, String jwksUri,
                               Duration clockSkew, Duration jwksRefetchInterval, ClaimNames claims,
                               DemoIssuerSettings demoIssuer, String consoleClientId) {

    private static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    private static final Set<String> KEYS = Set.of("audience", "issuer", "discovery", "jwks_uri", "clock_skew_s",
            "jwks_refetch_interval_s", "claims", "demo_issuer", "console_client_id");

    /**
     * Claim names per principal field. Each field lists candidates; the first claim present in a token
     * wins. A name is looked up literally first, then as a dotted path into nested objects
     * (Keycloak's {@code realm_access.roles}).
     */
    public record ClaimNames(List<String> subject, List<String> team, List<String> roles, List<String> scopes,
                             Map<String, List<String>> attributes) {
        public ClaimNames {
            subject = List.copyOf(subject);
            team = List.copyOf(team);
            roles = List.copyOf(roles);
            scopes = List.copyOf(scopes);
            attributes = Map.copyOf(attributes);
        }
    }

    public record DemoIssuerSettings(boolean enabled, Duration tokenTtl) {
    }

    public IdentitySettings {
        if (issuer.isEmpty() && !demoIssuer.enabled()) {
            throw new IllegalArgumentException("identity.issuer: required when identity.demo_issuer.enabled is false");
        }
        if (!issuer.isEmpty() && !discovery && jwksUri.isEmpty()) {
            throw new IllegalArgumentException("identity.jwks_uri: required when identity.discovery is false");
        }
    }

    /** The settings used when policies.yaml has no {@code identity} section: demo issuer on. */
    public static IdentitySettings defaults() {
        return fromMap(Map.of());
    }

    /** Whether tokens are expected from the built-in demo issuer rather than a configured one. */
    public boolean usesDemoIssuer() {
        return issuer.isEmpty();
    }

    /**
     * Parses the section as snakeyaml loads it; {@code null} gives the defaults.
     *
     * @throws IllegalArgumentException naming the offending key path, e.g. {@code identity.clock_skew_s}
     */
    public static IdentitySettings fromMap(Map<String, Object> section) {
        Map<String, Object> map = section == null ? Map.of() : section;
        checkKeys(map, KEYS, "identity");
        String audience = string(map, "audience", "identity.audience", "omnisql");
        if (audience.isBlank()) {
            throw new IllegalArgumentException("identity.audience: must not be empty");
        }
        return new IdentitySettings(
                audience,
                url(map, "issuer", "identity.issuer"),
                bool(map, "discovery", "identity.discovery", true),
                url(map, "jwks_uri", "identity.jwks_uri"),
                seconds(map, "clock_skew_s", "identity.clock_skew_s", 30, 0, MAX_CLOCK_SKEW.toSeconds()),
                seconds(map, "jwks_refetch_interval_s", "identity.jwks_refetch_interval_s", 10, 1, 3600),
                claimNames(section(map, "claims", "identity.claims")),
                demo(section(map, "demo_issuer", "identity.demo_issuer")),
                string(map, "console_client_id", "identity.console_client_id", ""));
    }

    private static ClaimNames claimNames(Map<String, Object> map) {
        checkKeys(map, Set.of("subject", "team", "roles", "scopes", "attributes"), "identity.claims");
        Map<String, List<String>> attributes = new LinkedHashMap<>();
        section(map, "attributes", "identity.claims.attributes")
                .forEach((name, claim) -> attributes.put(name, names(Objects.requireNonNullElse(claim, List.of()),
                        "identity.claims.attributes." + name, List.of())));
        return new ClaimNames(
                names(map.get("subject"), "identity.claims.subject", List.of("sub")),
                names(map.get("team"), "identity.claims.team", List.of("team")),
                names(map.get("roles"), "identity.claims.roles", List.of("roles")),
                names(map.get("scopes"), "identity.claims.scopes", List.of("scope", "scp")),
                attributes);
    }

    private static DemoIssuerSettings demo(Map<String, Object> map) {
        checkKeys(map, Set.of("enabled", "token_ttl_s"), "identity.demo_issuer");
        return new DemoIssuerSettings(
                bool(map, "enabled", "identity.demo_issuer.enabled", true),
                seconds(map, "token_ttl_s", "identity.demo_issuer.token_ttl_s", 3600, 1, 86_400));
    }

    private static void checkKeys(Map<String, Object> map, Set<String> allowed, String path) {
        for (String key : map.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException(path + "." + key + ": unknown key (expected one of "
                        + allowed.stream().sorted().toList() + ")");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> map, String key, String path) {
        Object value = map.get(key);
        if (value == null) {
            return Map.of();
        }
        if (value instanceof Map<?, ?> m && m.keySet().stream().allMatch(String.class::isInstance)) {
            return (Map<String, Object>) m;
        }
        throw new IllegalArgumentException(path + ": must be a mapping");
    }

    private static String string(Map<String, Object> map, String key, String path, String fallback) {
        Object value = map.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof String s) {
            return s.strip();
        }
        throw new IllegalArgumentException(path + ": must be a string");
    }

    private static String url(Map<String, Object> map, String key, String path) {
        String value = string(map, key, path, "");
        if (value.isEmpty()) {
            return value;
        }
        try {
            URI uri = URI.create(value);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return value;
            }
        } catch (IllegalArgumentException e) {
            // reported below with the key path
        }
        throw new IllegalArgumentException(path + ": must be an absolute http(s) URL, got '" + value + "'");
    }

    private static boolean bool(Map<String, Object> map, String key, String path, boolean fallback) {
        Object value = map.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException(path + ": must be true or false");
    }

    private static Duration seconds(Map<String, Object> map, String key, String path, long fallback,
                                    long min, long max) {
        Object value = map.get(key);
        if (value == null) {
            return Duration.ofSeconds(fallback);
        }
        if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= min
                && ((Number) value).longValue() <= max) {
            return Duration.ofSeconds(((Number) value).longValue());
        }
        throw new IllegalArgumentException(path + ": must be a whole number of seconds between " + min + " and " + max);
    }

    private static List<String> names(Object value, String path, List<String> fallback) {
        if (value == null) {
            return fallback;
        }
        List<?> raw = value instanceof List<?> list ? list : List.of(value);
        if (raw.isEmpty() || !raw.stream().allMatch(v -> v instanceof String s && !s.isBlank())) {
            throw new IllegalArgumentException(path + ": must be a claim name or a list of claim names");
        }
        return raw.stream().map(v -> ((String) v).strip()).toList();
    }
}
