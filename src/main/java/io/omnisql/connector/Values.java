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
public final class Values {
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
        // (Object) casts: a mixed int/Integer conditional would unbox a failed parse's null and throw.
        return switch (type) {
            case VARCHAR -> node.isValueNode() ? node.asText() : node.toString();
            case BIGINT -> node.canConvertToLong() ? (Object) node.asLong() : parseLong(node.asText());
            case INTEGER -> node.canConvertToInt() ? (Object) node.asInt() : toInt(parseLong(node.asText()));
            case DOUBLE -> node.isNumber() ? (Object) node.asDouble() : parseDouble(node.asText());
            case BOOLEAN -> node.isBoolean() ? (Object) node.asBoolean() : parseBoolean(node.asText());
            case TIMESTAMP -> timestamp(node.asText());
        };
    }

    /** ISO-8601 with Z, +HH:MM or +HHMM offsets (GitHub, Jira), or a bare local date-time taken as UTC. */
    static LocalDateTime timestamp(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        LocalDateTime fast = isoWithOffset(s);
        if (fast != null) {
            return fast;
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

    /**
     * What DuckDB accepts when it casts a string to TIMESTAMP (1.4): date, optional time with optional fraction,
     * optional offset or zone word -- which DuckDB's TIMESTAMP cast does not apply (it reads the local part).
     */
    private static final java.util.regex.Pattern SQL_TIMESTAMP = java.util.regex.Pattern.compile(
            "(\\d{4})-(\\d{1,2})-(\\d{1,2})(?:[ T](\\d{1,2}):(\\d{1,2})(?::(\\d{1,2})(?:\\.(\\d{1,9}))?"
                    + "(?:Z|\\s?UTC|[+-]\\d{2}(?::?\\d{2})?)?)?)?");

    /**
     * A SQL string literal compared with a TIMESTAMP column, read the way DuckDB reads it, or null for any form
     * this does not reproduce exactly (the predicate then stays for DuckDB alone). DuckDB truncates the fraction
     * to microseconds and ignores an offset: {@code '2025-03-01 10:30:00+14:00'} is 10:30 on March 1st. The
     * differential test {@code SqlLiteralSemanticsTest} holds this against the engine.
     */
    public static LocalDateTime sqlTimestamp(String literal) {
        if (literal == null) {
            return null;
        }
        java.util.regex.Matcher m = SQL_TIMESTAMP.matcher(literal);
        if (!m.matches()) {
            return null;
        }
        try {
            int nanos = 0;
            if (m.group(7) != null) {
                String f = (m.group(7) + "000000000").substring(0, 9);
                nanos = Integer.parseInt(f) / 1000 * 1000;
            }
            return LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    m.group(4) == null ? 0 : Integer.parseInt(m.group(4)), m.group(5) == null ? 0 : Integer.parseInt(m.group(5)),
                    m.group(6) == null ? 0 : Integer.parseInt(m.group(6)), nanos);
        } catch (java.time.DateTimeException e) {
            return null; // 24:00:00 and other forms DuckDB may read differently
        }
    }

    private static final int[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000};

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.f](Z|+HH:MM|+HHMM)}, the shape GitHub and Jira send, read without the
     * formatter (a page of GitHub pull requests holds 400 timestamps); null sends anything else, and any
     * invalid field, to the formatter.
     */
    private static LocalDateTime isoWithOffset(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (i == start || i - start > 9 || (nanos = digits(s, start, i - start)) < 0) {
                return null;
            }
            nanos *= POW10[9 - (i - start)];
        }
        int offsetSeconds;
        if (i == n - 1 && s.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            boolean colon = n - i == 6 && s.charAt(i + 3) == ':';
            if (!colon && n - i != 5) {
                return null;
            }
            int hh = digits(s, i + 1, 2);
            int mm = digits(s, colon ? i + 4 : i + 3, 2);
            if (hh < 0 || mm < 0 || hh > 18 || mm > 59) {
                return null;
            }
            offsetSeconds = (s.charAt(i) == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
        } else {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nanos).minusSeconds(offsetSeconds);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    /** The non-negative number in s[from, from+len), or -1 when a character is not an ASCII digit. */
    private static int digits(String s, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
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
