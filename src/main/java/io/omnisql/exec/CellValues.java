package io.omnisql.exec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.Blob;
import java.sql.SQLException;
import java.sql.Struct;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DuckDB's JDBC values as the JSON-ready values answers carry (strings, numbers, booleans, lists, maps), one
 * stable format per type (docs/api.md, "Result values"):
 * <ul>
 *   <li>TIMESTAMP* as ISO-8601 local date-times with seconds always and the fraction when present;
 *       TIMESTAMPTZ with its offset ({@code Z} for UTC); DATE as a date; TIME/TIMETZ likewise;
 *   <li>integers outside +/-(2^53-1) (BIGINT, UBIGINT, HUGEINT, UHUGEINT) and DECIMALs of more than 15
 *       significant digits as strings: a JSON number a JavaScript client parses must not silently change;
 *   <li>BLOB as base64; STRUCT/ROW as objects (unnamed fields keyed "1", "2", ...); LIST/ARRAY as arrays;
 *       MAP as an object keyed by the keys' text; INTERVAL as an ISO-8601 duration ({@code P1Y2M3DT4H5M6.5S});
 *   <li>NaN and infinities (not JSON numbers) as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"};
 *       UUID, ENUM, BIT, JSON and anything else as text.
 * </ul>
 */
public final class CellValues {
    /** The largest integer every JSON parser (IEEE doubles) holds exactly. */
    private static final long MAX_SAFE = (1L << 53) - 1;
    private static final BigInteger MAX_SAFE_BIG = BigInteger.valueOf(MAX_SAFE);
    private static final Pattern INTERVAL_PART = Pattern.compile("(-?\\d+) (years|year|months|month|mons|mon|days|day)");
    private static final Pattern INTERVAL_TIME = Pattern.compile("(-)?(\\d+):(\\d{2}):(\\d{2})(?:\\.(\\d+))?");

    private CellValues() {
    }

    /**
     * @param sqlType DuckDB's type name of the column ({@code INTERVAL} arrives as text and is told apart by it)
     */
    public static Object of(Object v, String sqlType) throws SQLException {
        if (v instanceof String s && sqlType != null && sqlType.equals("INTERVAL")) {
            return interval(s);
        }
        return of(v);
    }

    public static Object of(Object v) throws SQLException {
        return switch (v) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Integer i -> i;
            case Short s -> s.intValue();
            case Byte b -> b.intValue();
            case Long l -> Math.abs(l) <= MAX_SAFE ? l : l.toString();
            case BigInteger b -> b.abs().compareTo(MAX_SAFE_BIG) <= 0 ? (Object) b.longValue() : b.toString();
            case BigDecimal b -> b.precision() <= 15 ? b : b.toPlainString();
            case Double d -> d.isNaN() || d.isInfinite() ? d.toString() : d;
            case Float f -> f.isNaN() || f.isInfinite() ? f.toString() : f.doubleValue();
            case java.sql.Timestamp t -> DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(t.toLocalDateTime());
            case LocalDateTime t -> DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(t);
            case OffsetDateTime t -> DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t);
            case LocalDate d -> DateTimeFormatter.ISO_LOCAL_DATE.format(d);
            case java.sql.Date d -> DateTimeFormatter.ISO_LOCAL_DATE.format(d.toLocalDate());
            case LocalTime t -> DateTimeFormatter.ISO_LOCAL_TIME.format(t);
            case OffsetTime t -> DateTimeFormatter.ISO_OFFSET_TIME.format(t);
            case Blob b -> Base64.getEncoder().encodeToString(b.getBytes(1, (int) Math.min(Integer.MAX_VALUE, b.length())));
            case byte[] bytes -> Base64.getEncoder().encodeToString(bytes);
            case Struct s -> struct(s);
            case Array a -> {
                Object[] items = (Object[]) a.getArray();
                List<Object> out = new ArrayList<>(items.length);
                for (Object item : items) {
                    out.add(of(item));
                }
                yield out;
            }
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    out.put(String.valueOf(of(e.getKey())), of(e.getValue()));
                }
                yield out;
            }
            case List<?> list -> {
                List<Object> out = new ArrayList<>(list.size());
                for (Object item : list) {
                    out.add(of(item));
                }
                yield out;
            }
            default -> v.toString();
        };
    }

    /** Named fields as they are; unnamed ones ({@code ROW(1, 'a')}) by position, "1" first. */
    private static Map<String, Object> struct(Struct s) throws SQLException {
        Object[] values = s.getAttributes();
        List<String> names = s instanceof org.duckdb.DuckDBStruct d ? new ArrayList<>(d.getMap().keySet()) : List.of();
        boolean named = names.size() == values.length && names.stream().noneMatch(String::isEmpty);
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            out.put(named ? names.get(i) : String.valueOf(i + 1), of(values[i]));
        }
        return out;
    }

    /** DuckDB's interval text ({@code 1 year 2 months 3 days 04:05:06.5}) as an ISO-8601 duration; else as is. */
    static String interval(String text) {
        String rest = text.trim();
        long years = 0;
        long months = 0;
        long days = 0;
        Matcher part = INTERVAL_PART.matcher(rest);
        int end = 0;
        while (part.find() && part.start() == end) {
            long n = Long.parseLong(part.group(1));
            switch (part.group(2).charAt(0)) {
                case 'y' -> years = n;
                case 'm' -> months = n;
                default -> days = n;
            }
            end = part.end();
            while (end < rest.length() && rest.charAt(end) == ' ') {
                end++;
            }
        }
        String time = rest.substring(end);
        StringBuilder iso = new StringBuilder("P");
        if (years != 0) {
            iso.append(years).append('Y');
        }
        if (months != 0) {
            iso.append(months).append('M');
        }
        if (days != 0) {
            iso.append(days).append('D');
        }
        if (!time.isEmpty()) {
            Matcher t = INTERVAL_TIME.matcher(time);
            if (!t.matches()) {
                return text;
            }
            String sign = t.group(1) == null ? "" : "-";
            long h = Long.parseLong(t.group(2));
            long m = Long.parseLong(t.group(3));
            long sec = Long.parseLong(t.group(4));
            String fraction = t.group(5) == null ? "" : "." + t.group(5).replaceAll("0+$", "");
            if (fraction.equals(".")) {
                fraction = "";
            }
            if (h != 0 || m != 0 || sec != 0 || !fraction.isEmpty()) {
                iso.append('T');
                if (h != 0) {
                    iso.append(sign).append(h).append('H');
                }
                if (m != 0) {
                    iso.append(sign).append(m).append('M');
                }
                if (sec != 0 || !fraction.isEmpty()) {
                    iso.append(sign).append(sec).append(fraction).append('S');
                }
            }
        } else if (end != rest.length()) {
            return text;
        }
        return iso.length() == 1 ? "PT0S" : iso.toString();
    }
}
