package io.omnisql.connector;

import io.omnisql.config.Catalog.ColumnType;
import io.omnisql.config.Catalog.Op;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Collectors;

/** Builds JQL clauses from pushed predicates; every value is quoted so no value can change the query's shape. */
final class Jql {
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    private Jql() {
    }

    static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /**
     * The clause for one predicate, or null when JQL cannot express it as a superset. Timestamps are UTC on the
     * gateway side; Jira reads JQL dates in the API user's {@code zone}, so they are converted to it, or, when the
     * zone is unknown (null), widened by the extreme UTC offsets (-12 h / +14 h).
     */
    static String clause(String field, Op op, List<String> values, ColumnType type, ZoneId zone) {
        if (type == ColumnType.TIMESTAMP) {
            // JQL compares dates by minute: widen to whole minutes so the clause keeps every matching row.
            // DuckDB's reading of the literal decides what the pushed clause must keep.
            LocalDateTime utc = Values.sqlTimestamp(values.get(0));
            if (utc == null) {
                return null;
            }
            boolean lower = op == Op.GT || op == Op.GE;
            LocalDateTime t = zone != null
                    ? utc.atOffset(ZoneOffset.UTC).atZoneSameInstant(zone).toLocalDateTime()
                    : lower ? utc.minusHours(12) : utc.plusHours(14);
            return switch (op) {
                case GT, GE -> field + " >= " + quote(t.truncatedTo(ChronoUnit.MINUTES).format(MINUTE));
                case LT, LE -> field + " <= " + quote(t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1).format(MINUTE));
                default -> null;
            };
        }
        return switch (op) {
            case EQ -> field + " = " + quote(values.get(0));
            case IN -> field + " in (" + values.stream().map(Jql::quote).collect(Collectors.joining(", ")) + ")";
            default -> null;
        };
    }
}
