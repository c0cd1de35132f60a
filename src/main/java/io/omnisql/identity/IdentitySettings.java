package io.omnisql.identity;

import io.omnisql.config.ConfigException;
import io.omnisql.config.Section;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** Whether tokens are expected from the built-in demo issuer rather than a configured one. */
    public boolean usesDemoIssuer() {
        return issuer.isEmpty();
    }

    /**
     * Parses a section as snakeyaml loads it ({@code null} is an empty section), for settings built in code; the
     * files are read with {@link #from(Section)}, which names file and line.
     *
     * @throws IllegalArgumentException naming the offending key path, e.g. {@code identity.clock_skew_s: ...}
     */
    public static IdentitySettings fromMap(Map<String, Object> section) {
        try {
            return from(Section.of("identity", "identity", section == null ? Map.of() : section));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.problem(), e);
        }
    }

    /** Reads the {@code identity:} section; every problem names file, line and key path. */
    public static IdentitySettings from(Section s) throws ConfigException {
        s.allowOnly(KEYS);
        String audience = s.string("audience", "omnisql").strip();
        if (audience.isEmpty()) {
            throw s.error("audience", "must not be empty");
        }
        String issuer = url(s, "issuer");
        boolean discovery = s.bool("discovery", true);
        String jwksUri = url(s, "jwks_uri");
        Duration clockSkew = Duration.ofSeconds(s.number("clock_skew_s", 30, 0, MAX_CLOCK_SKEW.toSeconds()));
        Duration refetch = Duration.ofSeconds(s.number("jwks_refetch_interval_s", 10, 1, 3600));
        ClaimNames claims = claimNames(s.section("claims", false));
        DemoIssuerSettings demo = demo(s.section("demo_issuer", false));
        if (issuer.isEmpty() && !demo.enabled()) {
            throw s.error("issuer", "required when identity.demo_issuer.enabled is false");
        }
        if (!issuer.isEmpty() && !discovery && jwksUri.isEmpty()) {
            throw s.error("jwks_uri", "required when identity.discovery is false");
        }
        return new IdentitySettings(audience, issuer, discovery, jwksUri, clockSkew, refetch, claims, demo,
                s.string("console_client_id", ""));
    }

    private static ClaimNames claimNames(Section s) throws ConfigException {
        s.allowOnly(Set.of("subject", "team", "roles", "scopes", "attributes"));
        Map<String, List<String>> attributes = new LinkedHashMap<>();
        Section a = s.section("attributes", false);
        for (String name : a.raw().keySet()) {
            attributes.put(name, names(a, name, null));
        }
        return new ClaimNames(names(s, "subject", List.of("sub")), names(s, "team", List.of("team")),
                names(s, "roles", List.of("roles")), names(s, "scopes", List.of("scope", "scp")), attributes);
    }

    private static DemoIssuerSettings demo(Section s) throws ConfigException {
        s.allowOnly(Set.of("enabled", "token_ttl_s"));
        return new DemoIssuerSettings(
                // Off unless the file says so: a reload that loses the line must never switch it on.
                s.bool("enabled", false),
                Duration.ofSeconds(s.number("token_ttl_s", 3600, 1, 86_400)));
    }

    private static String url(Section s, String key) throws ConfigException {
        String value = s.string(key, "").strip();
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
        throw s.error(key, "must be an absolute http(s) URL, got '" + value + "'");
    }

    /** A claim name or a list of them; {@code fallback} when absent (null: required). */
    private static List<String> names(Section s, String key, List<String> fallback) throws ConfigException {
        if (s.raw().get(key) == null && fallback != null) {
            return fallback;
        }
        Object value = s.raw().get(key);
        List<?> raw = value instanceof List<?> list ? list : value == null ? List.of() : List.of(value);
        if (raw.isEmpty() || !raw.stream().allMatch(v -> v instanceof String n && !n.isBlank())) {
            throw s.error(key, "must be a claim name or a list of claim names");
        }
        return raw.stream().map(v -> ((String) v).strip()).toList();
    }
}
