package io.omnisql.exec;

import java.util.List;

/** What a statement returned: column names and DuckDB type names, rows of JSON-ready values, and any cut. */
public record QueryResult(List<ResultColumn> columns, List<Object[]> rows, Cut cut) {
    public record ResultColumn(String name, String type) {
    }

    /** Which cap, if any, ended the rows early. */
    public enum Cut { NONE, ROWS, BYTES }

    public boolean truncated() {
        return cut != Cut.NONE;
    }

    /** Approximate heap bytes of the rows, for byte-bounded caches: a fixed cost per cell plus its characters. */
    public long estimatedBytes() {
        long bytes = 128 + 64L * columns.size();
        for (Object[] row : rows) {
            bytes += 16 + 8L * row.length;
            for (Object v : row) {
                bytes += cellBytes(v);
            }
        }
        return bytes;
    }

    private static long cellBytes(Object v) {
        return switch (v) {
            case null -> 0;
            case String s -> 48 + 2L * s.length();
            case java.util.Collection<?> c -> {
                long b = 32 + 8L * c.size();
                for (Object o : c) {
                    b += cellBytes(o);
                }
                yield b;
            }
            case java.util.Map<?, ?> m -> {
                long b = 64;
                for (var e : m.entrySet()) {
                    b += 32 + cellBytes(e.getKey()) + cellBytes(e.getValue());
                }
                yield b;
            }
            default -> 32;
        };
    }
}
