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
}
