package io.omnisql.sql;

import java.util.Locale;
import java.util.Optional;

/**
 * The SQL comparison operators of a single-column predicate: what the planner extracts, a policy row filter
 * offers and a catalog column may accept for pushdown.
 */
public enum Op {
    EQ("="), NE("!="), IN("IN"), NOT_IN("NOT IN"), GT(">"), GE(">="), LT("<"), LE("<=");

    private final String sql;

    Op(String sql) {
        this.sql = sql;
    }

    public String sql() {
        return sql;
    }

    /** The operator with its operands swapped: {@code 5 < x} is {@code x > 5}. */
    public Op flipped() {
        return switch (this) {
            case GT -> LT;
            case GE -> LE;
            case LT -> GT;
            case LE -> GE;
            default -> this;
        };
    }

    public static Optional<Op> parse(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT).replace("<>", "!=");
        for (Op op : values()) {
            if (op.sql.equals(t)) {
                return Optional.of(op);
            }
        }
        return Optional.empty();
    }
}
