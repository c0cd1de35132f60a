package io.omnisql.connector;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.config.Catalog.ColumnType;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;

/** JSON values to the Java values DuckDB columns take; timestamps normalised to UTC. */
final class Values {
    private static final DateTimeFormatter OFFSET = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .toFormatter();

    private Values() {
    }

    static Object convert(JsonNode node, ColumnType type) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        return switch (type) {
            case VARCHAR -> node.isValueNode() ? node.asText() : node.toString();
            case BIGINT -> node.canConvertToLong() ? node.asLong() : parseLong(node.asText());
            case INTEGER -> node.canConvertToInt() ? node.asInt() : toInt(parseLong(node.asText()));
            case DOUBLE -> node.isNumber() ? node.asDouble() : parseDouble(node.asText());
            case BOOLEAN -> node.isBoolean() ? node.asBoolean() : parseBoolean(node.asText());
            case TIMESTAMP -> timestamp(node.asText());
        };
    }

    /** ISO-8601 with Z, +HH:MM or +HHMM offsets (GitHub, Jira), or a bare local date-time taken as UTC. */
    static LocalDateTime timestamp(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        String t = s.trim().replace(' ', 'T');
        try {
            var parsed = OFFSET.parseBest(t, OffsetDateTime::from, LocalDateTime::from);
            if (parsed instanceof OffsetDateTime o) {
                return o.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
            }
            return (LocalDateTime) parsed;
        } catch (DateTimeParseException e) {
            try {
                return java.time.LocalDate.parse(t).atStartOfDay();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    private static Long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Integer toInt(Long l) {
        return l == null || l != l.intValue() ? null : l.intValue();
    }

    private static Double parseDouble(String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Boolean parseBoolean(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> null;
        };
    }
}
