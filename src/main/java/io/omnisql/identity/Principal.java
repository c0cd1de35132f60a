package io.omnisql.identity;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who is asking, as established from a validated bearer token. {@code attributes} holds any
 * further configured claims (for example {@code department}) that policies may reference.
 */
public record Principal(String subject, String team, Set<String> roles, Set<String> scopes,
                        Map<String, String> attributes) {
    public Principal {
        roles = Set.copyOf(roles);
        scopes = Set.copyOf(scopes);
        attributes = Map.copyOf(attributes);
    }

    /** A named attribute as policies see it: {@code subject}, {@code team}, or a configured claim. */
    public Optional<String> attribute(String name) {
        return Optional.ofNullable(switch (name) {
            case "subject", "sub" -> subject;
            case "team" -> team;
            default -> attributes.get(name);
        });
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }

    /** Approximate heap bytes (two per character plus a fixed allowance per string), for byte-bounded caches. */
    public long estimatedBytes() {
        long bytes = 128 + chars(subject) + chars(team);
        for (String r : roles) {
            bytes += chars(r);
        }
        for (String sc : scopes) {
            bytes += chars(sc);
        }
        for (Map.Entry<String, String> a : attributes.entrySet()) {
            bytes += chars(a.getKey()) + chars(a.getValue());
        }
        return bytes;
    }

    private static long chars(String s) {
        return s == null ? 0 : 48 + 2L * s.length();
    }
}
