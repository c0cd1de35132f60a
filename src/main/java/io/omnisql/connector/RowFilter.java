package io.omnisql.connector;

import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.ColumnType;
import io.omnisql.config.Catalog.Op;
import io.omnisql.plan.Predicate;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The table's own WHERE conjuncts (single-column candidate predicates) evaluated in Java on typed rows, so
 * per-row calls are spent only on rows the statement can return. Conservative: it drops a row only when SQL
 * would certainly drop it (a comparison that is false or NULL); a predicate it cannot decide exactly as DuckDB
 * would (booleans, numeric-looking text, timestamps with offsets, per-row columns) keeps every row.
 */
final class RowFilter {
    private static final Pattern NUMERIC = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
    private static final Pattern INTEGRAL = Pattern.compile("[-+]?\\d+");

    /** One decidable predicate: the row index it reads and its literals converted to the column's type. */
    private record Check(int index, Op op, List<Comparable<Object>> literals) {
    }

    private final List<Check> checks;

    private RowFilter(List<Check> checks) {
        this.checks = checks;
    }

    static RowFilter of(List<ColumnDef> columns, List<Predicate> predicates) {
        List<Check> checks = new ArrayList<>();
        for (Predicate p : predicates) {
            for (int i = 0; i < columns.size(); i++) {
                ColumnDef c = columns.get(i);
                if (c.name().equals(p.column()) && !c.isPerRow()) {
                    List<Comparable<Object>> literals = literals(c.type(), p.values());
                    if (literals != null) {
                        checks.add(new Check(i, p.op(), literals));
                    }
                }
            }
        }
        return new RowFilter(List.copyOf(checks));
    }

    boolean isEmpty() {
        return checks.isEmpty();
    }

    boolean keeps(Object[] row) {
        for (Check c : checks) {
            if (!passes(c, row[c.index()])) {
                return false;
            }
        }
        return true;
    }

    private static boolean passes(Check c, Object value) {
        if (value == null) {
            return false;
        }
        Comparable<Object> v = comparable(value);
        if (v == null) {
            return true;
        }
        return switch (c.op()) {
            case EQ -> v.compareTo(c.literals().get(0)) == 0;
            case NE -> v.compareTo(c.literals().get(0)) != 0;
            case LT -> v.compareTo(c.literals().get(0)) < 0;
            case LE -> v.compareTo(c.literals().get(0)) <= 0;
            case GT -> v.compareTo(c.literals().get(0)) > 0;
            case GE -> v.compareTo(c.literals().get(0)) >= 0;
            case IN -> c.literals().stream().anyMatch(l -> v.compareTo(l) == 0);
            case NOT_IN -> c.literals().stream().noneMatch(l -> v.compareTo(l) == 0);
        };
    }

    /** The literals in the column's type, or null when this filter would not decide them exactly as SQL does. */
    private static List<Comparable<Object>> literals(ColumnType type, List<String> values) {
        List<Comparable<Object>> out = new ArrayList<>();
        for (String s : values) {
            Comparable<Object> literal = switch (type) {
                // DuckDB may compare text with a numeric-looking literal as numbers.
                case VARCHAR -> NUMERIC.matcher(s.trim()).matches() ? null : comparable(s);
                case BIGINT, INTEGER -> INTEGRAL.matcher(s.trim()).matches() ? comparable(new BigDecimal(s.trim())) : null;
                case DOUBLE -> NUMERIC.matcher(s.trim()).matches() ? comparable(new BigDecimal(s.trim())) : null;
                case TIMESTAMP -> comparable(Values.sqlTimestamp(s));
                case BOOLEAN -> null;
            };
            if (literal == null) {
                return null;
            }
            out.add(literal);
        }
        return out;
    }

    /** Row values and literals on one comparable footing: numbers as BigDecimal, text by code point. */
    @SuppressWarnings("unchecked")
    private static Comparable<Object> comparable(Object value) {
        Object v = switch (value) {
            case null -> null;
            case String s -> new CodePoints(s);
            case Integer i -> BigDecimal.valueOf(i);
            case Long l -> BigDecimal.valueOf(l);
            case Double d -> d.isNaN() || d.isInfinite() ? null : BigDecimal.valueOf(d);
            case BigDecimal b -> b;
            case LocalDateTime t -> t;
            default -> null;
        };
        return (Comparable<Object>) v;
    }

    /** Text ordered as DuckDB orders VARCHAR by default: by Unicode code point (UTF-8 byte order). */
    private record CodePoints(String s) implements Comparable<CodePoints> {
        @Override
        public int compareTo(CodePoints o) {
            int i = 0;
            int j = 0;
            while (i < s.length() && j < o.s.length()) {
                int a = s.codePointAt(i);
                int b = o.s.codePointAt(j);
                if (a != b) {
                    return Integer.compare(a, b);
                }
                i += Character.charCount(a);
                j += Character.charCount(b);
            }
            return Integer.compare(s.length() - i, o.s.length() - j);
        }
    }
}
