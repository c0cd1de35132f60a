package io.omnisql.policy;

import io.omnisql.identity.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Who a rule applies to: principals matching {@code when} (everyone when it is empty) and none of {@code unless}.
 * Each entry of either list is a {@link Match}; a list matches when any of its entries does.
 */
record Audience(List<Match> when, List<Match> unless) {
    static final Audience EVERYONE = new Audience(List.of(), List.of());

    Audience {
        when = List.copyOf(when);
        unless = List.copyOf(unless);
    }

    boolean appliesTo(Principal p) {
        return (when.isEmpty() || when.stream().anyMatch(m -> m.matches(p))) && unless.stream().noneMatch(m -> m.matches(p));
    }

    /** For metadata and error messages: {@code "unless scopes [PII_ACCESS]"}. */
    String describe() {
        List<String> parts = new ArrayList<>();
        if (!when.isEmpty()) {
            parts.add("when " + String.join(" or ", when.stream().map(Match::describe).toList()));
        }
        if (!unless.isEmpty()) {
            parts.add("unless " + String.join(" or ", unless.stream().map(Match::describe).toList()));
        }
        return String.join(", ", parts);
    }

    /**
     * One principal pattern: every non-empty set must contain one of the principal's values (subject, team,
     * a role, a scope). Values compare exactly: OAuth scopes and most IdP role names are case-sensitive.
     */
    record Match(Set<String> subjects, Set<String> teams, Set<String> roles, Set<String> scopes) {
        /** Matches every principal ({@code when: everyone}). */
        static final Match ANYONE = new Match(Set.of(), Set.of(), Set.of(), Set.of());

        Match {
            subjects = Set.copyOf(subjects);
            teams = Set.copyOf(teams);
            roles = Set.copyOf(roles);
            scopes = Set.copyOf(scopes);
        }

        boolean matches(Principal p) {
            return (subjects.isEmpty() || subjects.contains(p.subject()))
                    && (teams.isEmpty() || p.team() != null && teams.contains(p.team()))
                    && (roles.isEmpty() || p.roles().stream().anyMatch(roles::contains))
                    && (scopes.isEmpty() || p.scopes().stream().anyMatch(scopes::contains));
        }

        String describe() {
            List<String> parts = new ArrayList<>();
            add(parts, "subject", subjects);
            add(parts, "team", teams);
            add(parts, "role", roles);
            add(parts, "scope", scopes);
            return parts.isEmpty() ? "everyone" : String.join(" and ", parts);
        }

        private static void add(List<String> parts, String what, Set<String> values) {
            if (!values.isEmpty()) {
                parts.add(what + (values.size() == 1 ? " " + values.iterator().next() : " in " + new java.util.TreeSet<>(values)));
            }
        }
    }
}
