package io.omnisql.identity;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Reads a validated token's payload into a {@link Principal} using the configured claim names. */
final class ClaimMapping {
    /** Roles and scopes arrive as arrays, space-separated strings ({@code scope}) or comma strings. */
    private static final Pattern LIST_SEPARATOR = Pattern.compile("[,\\s]+");

    private final IdentitySettings.ClaimNames names;

    ClaimMapping(IdentitySettings.ClaimNames names) {
        this.names = names;
    }

    Principal principal(JsonObject payload) {
        String subject = claim(payload, names.subject()).map(ClaimMapping::text).filter(s -> !s.isEmpty())
                .orElseThrow(() -> Unauthenticated.because("token has no subject claim (" + names.subject() + ")"));
        String team = claim(payload, names.team()).map(ClaimMapping::text).filter(s -> !s.isEmpty()).orElse(null);
        Map<String, String> attributes = new LinkedHashMap<>();
        names.attributes().forEach((attribute, claims) ->
                claim(payload, claims).map(ClaimMapping::text).ifPresent(v -> attributes.put(attribute, v)));
        return new Principal(subject, team, list(payload, names.roles()), list(payload, names.scopes()), attributes);
    }

    private static Set<String> list(JsonObject payload, List<String> claims) {
        return claim(payload, claims).map(value -> switch (value) {
            case JsonArray array -> array.stream().map(ClaimMapping::text).filter(s -> !s.isEmpty())
                    .collect(Collectors.toCollection(LinkedHashSet::new));
            default -> Arrays.stream(LIST_SEPARATOR.split(text(value))).filter(s -> !s.isEmpty())
                    .collect(Collectors.toCollection(LinkedHashSet::new));
        }).orElseGet(LinkedHashSet::new);
    }

    /** The first present claim of the candidates; each is tried literally, then as a dotted path. */
    private static Optional<JsonValue> claim(JsonObject payload, List<String> candidates) {
        for (String name : candidates) {
            JsonValue value = payload.containsKey(name) ? payload.get(name) : path(payload, name);
            if (value != null && value != JsonValue.NULL) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    private static JsonValue path(JsonObject payload, String dotted) {
        JsonValue current = payload;
        for (String segment : dotted.split("\\.")) {
            if (!(current instanceof JsonObject object) || !object.containsKey(segment)) {
                return null;
            }
            current = object.get(segment);
        }
        return current;
    }

    private static String text(JsonValue value) {
        return switch (value) {
            case JsonString s -> s.getString().strip();
            case JsonNumber n -> n.toString();
            case JsonArray a -> a.stream().map(ClaimMapping::text).collect(Collectors.joining(","));
            default -> value == JsonValue.TRUE ? "true" : value == JsonValue.FALSE ? "false" : value.toString();
        };
    }
}
