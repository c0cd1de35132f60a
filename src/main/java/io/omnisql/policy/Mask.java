package io.omnisql.policy;

import io.omnisql.config.Catalog.ColumnType;
import java.util.Locale;
import java.util.Optional;

/** The ways a column's value can be replaced. Every mask keeps NULL as NULL and is deterministic. */
public enum Mask {
    /** The value becomes NULL (typed like the column). */
    NULL,
    /** Hex SHA-256 of the value as text: equal values stay equal, so joins and counts of distinct values work. */
    HASH,
    /** The value becomes {@code '***'}. */
    REDACT,
    /** An e-mail keeps its domain: {@code '***@' || domain}. VARCHAR columns only. */
    PARTIAL;

    static Optional<Mask> parse(String s) {
        for (Mask m : values()) {
            if (m.name().equalsIgnoreCase(s)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    boolean accepts(ColumnType type) {
        return this != PARTIAL || type == ColumnType.VARCHAR;
    }

    /** The SQL expression over the raw column that replaces it; {@code column} is a catalog column name. */
    String render(String column, ColumnType type) {
        String c = "\"" + column + "\"";
        return switch (this) {
            case NULL -> "CAST(NULL AS " + type.name() + ")";
            case HASH -> "sha256(CAST(" + c + " AS VARCHAR))";
            case REDACT -> "CASE WHEN " + c + " IS NULL THEN NULL ELSE '***' END";
            case PARTIAL -> "'***@' || split_part(" + c + ", '@', 2)";
        };
    }
}
